/**
 * `npm run bench`: Parley against the floors and a peer, side by side, on this machine, in one run.
 *
 *   npm run bench                          everything (about half an hour: seeds its own data)
 *   npm run bench -- --only list,send      some benchmarks (list, send, fanout, connections, dashboard)
 *   npm run bench -- --quick               shorter runs and smaller sweeps, for iteration
 *   npm run bench -- --runs 5              timed runs per contender (default 3)
 *   npm run bench -- --reuse-data          keep the seeded dashboard databases if they exist (the conversations are always reseeded)
 *   npm run bench -- --profile             CPU profiles of Parley (bench/.work/profiles; bench/profile-summary.ts)
 *   npm run bench -- --profile-allocations what Parley allocated, sampled (bench/allocation-summary.ts)
 *   npm run bench -- --max-load 1.0        wait (up to --quiet-timeout s) for a quiet machine first
 *   npm run bench -- --rates 2500,5000     the fan-out sweep, in deliveries/s (experiments)
 *   npm run bench -- --contenders parley   only some contenders (experiments: no comparison is written)
 *
 * Writes bench/results.json (one entry per benchmark) and bench/RESULTS.md. With --only, entries
 * of the benchmarks not run are kept from the previous results.
 */
import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { listBenchmark } from './benchmarks/list';
import { sendBenchmark } from './benchmarks/send';
import { fanoutBenchmarks } from './benchmarks/fanout';
import { dashboardBenchmarks } from './benchmarks/dashboard';
import { peerUnavailable, startPeer, type PeerHandle } from './peers/postgraphile';
import type { BenchContext, BenchOptions } from './lib/context';
import { databaseUrl, recreateDatabase, REDIS_URL, serverVersions, vacuumDatabase } from './lib/database';
import { gitCommit, loadAverage, machineInfo, softwareVersions, waitForQuiet } from './lib/machine';
import { buildParley, JWT_SECRET, Role, startParley, tokenFor } from './lib/parley';
import { ServerProcess, stopAll } from './lib/processes';
import { writeResults } from './lib/report';
import type { BenchmarkEntry } from './lib/results';
import { benchActors, DEFAULT_CONVERSATIONS, seedConversations } from './seed/conversations';

const ALL = ['list', 'send', 'fanout', 'connections', 'dashboard'] as const;
const BENCH_DB = 'parley_bench';
const PORTS = { parley: [4101, 4102], floorHttp: 4201, relay: [4211, 4212], peer: 4301 };

function options(): BenchOptions {
  const { values } = parseArgs({
    options: {
      only: { type: 'string' },
      quick: { type: 'boolean', default: false },
      runs: { type: 'string' },
      'reuse-data': { type: 'boolean', default: false },
      profile: { type: 'boolean', default: false },
      'profile-allocations': { type: 'boolean', default: false },
      'max-load': { type: 'string', default: '1.0' },
      'quiet-timeout': { type: 'string', default: '600' },
      rates: { type: 'string' },
      contenders: { type: 'string' },
    },
  });
  const only = values.only ? new Set(values.only.split(',').map((name) => name.trim())) : null;
  for (const name of only ?? []) {
    if (!(ALL as readonly string[]).includes(name)) throw new Error(`unknown benchmark ${name}; choose from ${ALL.join(', ')}`);
  }
  const runs = values.runs ? Number(values.runs) : 3;
  if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs takes a whole number');
  return {
    only,
    quick: values.quick,
    runs,
    reuseData: values['reuse-data'],
    profile: values['profile-allocations'] ? 'allocations' : values.profile ? 'cpu' : null,
    maxLoad: Number(values['max-load']),
    quietTimeoutSeconds: Number(values['quiet-timeout']),
    rates: values.rates ? values.rates.split(',').map(Number) : null,
    contenders: values.contenders ? new Set(values.contenders.split(',').map((name) => name.trim())) : null,
  };
}

async function main(): Promise<void> {
  const opts = options();
  const log = (line: string) => console.log(line);
  const wants = (name: (typeof ALL)[number]) => !opts.only || opts.only.has(name);
  const started = Date.now();

  log('Parley benchmarks');
  const machine = machineInfo();
  log(`  ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB; ${machine.kernel}`);
  const build = buildParley(log);

  const needsConversations = wants('list') || wants('send') || wants('fanout') || wants('connections');
  if (needsConversations) {
    // Always seeded afresh (seconds), even with --reuse-data: sendMessage and the fan-out publisher
    // write to it, and a reused copy had drifted to 1.27M messages (436 on some tickets) and a
    // tickets table bloated twentyfold, so later runs measured different data.
    log(`seed: ${BENCH_DB} (${DEFAULT_CONVERSATIONS.tickets} tickets × ${DEFAULT_CONVERSATIONS.messagesPerTicket} messages)`);
    await seedConversations(await recreateDatabase(BENCH_DB), DEFAULT_CONVERSATIONS, log);
  }

  const { load, quiet } = await waitForQuiet(opts.maxLoad, opts.quietTimeoutSeconds * 1000, log);
  const { postgres, redis } = await serverVersions(databaseUrl('postgres'));
  const ctx: BenchContext = {
    options: opts,
    log,
    build,
    machine,
    versions: softwareVersions({ postgres, redis, parley: gitCommit(), parleyBuild: build.kind }),
    loadBefore: loadAverage(),
    quietBefore: quiet,
  };
  log(`load average before: ${ctx.loadBefore.join(' ')}${quiet ? '' : ` (not quiet: wanted < ${opts.maxLoad}, got ${load})`}`);

  const entries: BenchmarkEntry[] = [];
  const url = databaseUrl(BENCH_DB);
  const actors = benchActors(DEFAULT_CONVERSATIONS);
  const agentTokens = await Promise.all(actors.agents.map((agent) => tokenFor(agent.userId, Role.AGENT, agent.sessionId)));
  // Each group starts from a vacuumed database, whatever earlier runs and groups wrote (see vacuumDatabase).
  const vacuum = async () => {
    const { deadRows, seconds } = await vacuumDatabase(url);
    log(`  vacuum analyze ${BENCH_DB}: ${deadRows} dead rows, ${seconds.toFixed(1)} s`);
  };

  if (wants('list') || wants('send')) {
    log('\nlist and send');
    await vacuum();
    let parley: ServerProcess | undefined;
    let floor: ServerProcess | undefined;
    let peer: PeerHandle | null = null;
    try {
      [parley, floor] = await Promise.all([
        startParley(build, 'parley-1', url, PORTS.parley[0]),
        ServerProcess.start({
          name: 'floor-http',
          nodeArgs: ['-r', '@swc-node/register'],
          args: ['bench/floors/http-floor.ts'],
          env: { PORT: String(PORTS.floorHttp), DATABASE_URL: url, REDIS_URL, JWT_SECRET },
          port: PORTS.floorHttp,
        }),
      ]);
      if (wants('list')) {
        peer = await startPeer(ctx, url, PORTS.peer);
        const listEntries = await listBenchmark(ctx, {
          parley: { url: `http://127.0.0.1:${PORTS.parley[0]}/graphql`, server: parley },
          floor: { url: `http://127.0.0.1:${PORTS.floorHttp}/list`, server: floor },
          peer: peer?.list,
          token: agentTokens[0],
        });
        if (!peer) listEntries[0].notes.push(`PostGraphile v5 (the peer) could not run here: ${peerUnavailable ?? 'unknown reason'}.`);
        entries.push(...listEntries);
        await peer?.stop();
        peer = null;
      }
      if (wants('send')) {
        entries.push(
          ...(await sendBenchmark(ctx, {
            parley: { url: `http://127.0.0.1:${PORTS.parley[0]}/graphql`, server: parley },
            floor: { url: `http://127.0.0.1:${PORTS.floorHttp}/send`, server: floor },
            tokens: agentTokens,
            ticketIds: actors.ticketIds,
            databaseUrl: url,
          })),
        );
      }
    } finally {
      await peer?.stop();
      await stopAll([parley, floor]);
    }
  }

  if (wants('fanout') || wants('connections')) {
    log('\nfan-out and connections');
    await vacuum();
    entries.push(...(await fanoutBenchmarks(ctx, { databaseUrl: url, actors, agentTokens, ports: { parley: PORTS.parley, relay: PORTS.relay }, fanout: wants('fanout'), connections: wants('connections') })));
  }

  if (wants('dashboard')) {
    log('\ndashboard');
    entries.push(...(await dashboardBenchmarks(ctx, { port: PORTS.parley[0] })));
  }

  const files = writeResults(entries, ctx, { replaceOnlyRun: !!opts.only });
  log(`\nwrote ${files.join(', ')} in ${((Date.now() - started) / 60_000).toFixed(1)} min`);
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
