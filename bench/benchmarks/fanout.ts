import { monitorEventLoopDelay } from 'node:perf_hooks';
import path from 'node:path';
import type { BenchContext } from '../lib/context';
import { currentLoad, entryFrom } from '../lib/context';
import { REDIS_URL, vacuumDatabase } from '../lib/database';
import { cpuWindow, round } from '../lib/machine';
import { Role, startParley, tokenFor } from '../lib/parley';
import { WORK_DIR } from '../lib/paths';
import { ServerProcess, sleep, stopAll } from '../lib/processes';
import type { BenchmarkEntry, RunSample } from '../lib/results';
import type { BenchActors } from '../seed/conversations';
import { WsHarness } from '../ws/harness';
import type { ClientSpec } from '../ws/protocol';
import { Publisher } from '../ws/publisher';

const SUBSCRIBERS_PER_TICKET = 5;
const P99_LIMIT_MS = 50;

export interface FanoutInput {
  databaseUrl: string;
  actors: BenchActors;
  agentTokens: string[];
  ports: { parley: number[]; relay: number[] };
  fanout: boolean;
  connections: boolean;
}

interface WsSystem {
  name: 'parley' | 'floor';
  ports: number[];
  start(): Promise<ServerProcess[]>;
}

interface StepOutcome {
  offeredDeliveriesPerSecond: number;
  deliveriesPerSecond: number;
  publishedPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  p999Ms: number;
  maxMs: number;
  lost: number;
  duplicated: number;
  unmeasured: number;
  statementsPerDelivery: number;
  serverCpuPct: number;
  /** Server CPU (both instances) per delivery, in µs. */
  serverCpuMicrosPerDelivery: number;
  loadGeneratorCpuPct: number;
  machineBusyPct: number;
  eventLoopDelayP99Ms: number;
  /** The servers' worst event-loop delay, and their longest garbage-collection pause, in ms. */
  eventLoopDelayMaxMs: number;
  serverGcMaxMs: number;
  /** Per server: garbage collections by kind (minor, major, incremental, weakcb): count, longest and total ms. */
  serverGcByKind: Record<string, { count: number; max: number; total: number }>[];
  /** The load generator's own event-loop delay (worst worker thread, and the publisher's thread), p99 and max in ms. */
  loadGeneratorLoopDelayMs: { workersP99: number; workersMax: number; publisherMax: number };
  /** The workers' garbage collection during the step: longest pause, total (all workers), in ms. */
  loadGeneratorGcMs: { max: number; total: number };
  passed: boolean;
}

/** Subscribers: for ticket i, its customer and four agents, spread over both instances. */
async function clientSpecs(input: FanoutInput, ports: number[]): Promise<ClientSpec[]> {
  const specs: ClientSpec[] = [];
  const tickets = input.actors.fanoutTickets;
  const customerTokens = await Promise.all(tickets.map((ticket) => tokenFor(ticket.customerId, Role.CUSTOMER, ticket.sessionId)));
  tickets.forEach((ticket, i) => {
    for (let k = 0; k < SUBSCRIBERS_PER_TICKET; k++) {
      const port = ports[(i + k) % ports.length];
      const token = k === 0 ? customerTokens[i] : input.agentTokens[(i * 4 + k) % input.agentTokens.length];
      specs.push({ url: `ws://127.0.0.1:${port}/graphql`, token, ticketId: ticket.ticketId, ticketIndex: i });
    }
  });
  return specs;
}

/** Publishes one message per ticket until every subscriber has had one: then all of them are live. */
async function untilAllLive(ctx: BenchContext, harness: WsHarness, publisher: Publisher, step: number, subscribers: number, timeoutMs: number): Promise<{ seconds: number; live: boolean }> {
  const started = performance.now();
  harness.measure(step);
  const deadline = Date.now() + timeoutMs;
  const tickets = subscribers / SUBSCRIBERS_PER_TICKET;
  let received = 0;
  while (Date.now() < deadline) {
    await publisher.batch(tickets, step).catch((error: unknown) => ctx.log(`    publish failed: ${String(error)}`));
    const waitUntil = Date.now() + 3000;
    while (Date.now() < waitUntil) {
      await sleep(100);
      const progress = await harness.progress(step);
      received = progress.clients;
      // Each round adds one message per ticket; once every subscriber has had one of them, all are live.
      if (progress.clients >= subscribers) {
        await harness.report(step);
        return { seconds: (performance.now() - started) / 1000, live: true };
      }
    }
  }
  await harness.report(step);
  ctx.log(`    only ${received} of ${subscribers} subscribers had a message in ${timeoutMs / 1000} s`);
  return { seconds: (performance.now() - started) / 1000, live: false };
}

async function sweepStep(
  harness: WsHarness,
  publisher: Publisher,
  servers: ServerProcess[],
  step: number,
  deliveriesPerSecond: number,
  seconds: number,
  subscribers: number,
): Promise<StepOutcome> {
  const messagesPerSecond = deliveriesPerSecond / SUBSCRIBERS_PER_TICKET;
  // The load generator's own garbage (connecting, the previous step) is collected before timing starts.
  await harness.settle();
  await Promise.all(servers.map((server) => server.reset()));
  harness.measure(step);
  const cpu = cpuWindow();
  const publisherDelay = monitorEventLoopDelay({ resolution: 5 });
  publisherDelay.enable();
  const run = await publisher.run(messagesPerSecond, seconds, step);
  publisherDelay.disable();
  const expected = run.published * SUBSCRIBERS_PER_TICKET;
  // Drain: wait for the stragglers (bounded), so a late delivery is counted as late, not lost.
  const drainDeadline = Date.now() + 10_000;
  let last = -1;
  let stalledSince = Date.now();
  while (Date.now() < drainDeadline) {
    const { received } = await harness.progress(step);
    if (received >= expected) break;
    if (received !== last) {
      last = received;
      stalledSince = Date.now();
    } else if (Date.now() - stalledSince > 3000) break;
    await sleep(100);
  }
  const used = cpu();
  const stats = await Promise.all(servers.map((server) => server.stats()));
  const result = await harness.report(step);
  const h = result.histogram;
  const ms = (micros: number) => round(micros / 1000, 2);
  const statements = stats.reduce((sum, s) => sum + s.statements, 0);
  const outcome: StepOutcome = {
    offeredDeliveriesPerSecond: deliveriesPerSecond,
    deliveriesPerSecond: round(result.received / run.seconds, 0),
    publishedPerSecond: round(run.perSecond, 0),
    p50Ms: ms(h.getValueAtPercentile(50)),
    p99Ms: ms(h.getValueAtPercentile(99)),
    p999Ms: ms(h.getValueAtPercentile(99.9)),
    maxMs: ms(h.maxValue),
    lost: Math.max(0, expected - result.received),
    duplicated: result.duplicated,
    unmeasured: result.unmeasured,
    statementsPerDelivery: round(statements / Math.max(result.received, 1), 2),
    serverCpuPct: round(stats.reduce((sum, s) => sum + (s.cpuMs / s.wallMs) * 100, 0), 1),
    serverCpuMicrosPerDelivery: round((stats.reduce((sum, s) => sum + s.cpuMs, 0) * 1000) / Math.max(result.received, 1), 0),
    loadGeneratorCpuPct: used.loadGeneratorPct,
    machineBusyPct: used.machineBusyPct,
    eventLoopDelayP99Ms: round(Math.max(...stats.map((s) => s.loopDelayMs.p99)), 1),
    eventLoopDelayMaxMs: round(Math.max(...stats.map((s) => s.loopDelayMs.max)), 1),
    serverGcMaxMs: round(Math.max(...stats.map((s) => s.gcMs.max)), 1),
    serverGcByKind: stats.map((s) => s.gcMs.byKind ?? {}),
    loadGeneratorGcMs: { max: round(result.gcMs.max, 1), total: round(result.gcMs.total, 0) },
    loadGeneratorLoopDelayMs: { workersP99: round(result.loopDelayMs.p99, 1), workersMax: round(result.loopDelayMs.max, 1), publisherMax: round(publisherDelay.max / 1e6, 1) },
    passed: false,
  };
  h.destroy();
  outcome.passed =
    outcome.p99Ms < P99_LIMIT_MS && outcome.lost === 0 && outcome.duplicated === 0 && run.perSecond >= 0.95 * messagesPerSecond && result.received >= expected;
  void subscribers;
  return outcome;
}

/** Benchmarks 3 and 4: fan-out over 10,000 subscribers on two instances, and their connections. */
export async function fanoutBenchmarks(ctx: BenchContext, fullInput: FanoutInput): Promise<BenchmarkEntry[]> {
  // --quick: a fifth of the sockets (400 tickets × 5), for iterating on the harness and the product.
  const input = ctx.options.quick
    ? { ...fullInput, actors: { ...fullInput.actors, fanoutTickets: fullInput.actors.fanoutTickets.slice(0, 400) } }
    : fullInput;
  const subscribers = input.actors.fanoutTickets.length * SUBSCRIBERS_PER_TICKET;
  const rates = ctx.options.rates ?? (ctx.options.quick ? [5_000, 10_000, 20_000] : [2_500, 5_000, 10_000, 15_000, 20_000, 30_000, 40_000]);
  const stepSeconds = ctx.options.quick ? 4 : 8;
  const systems: WsSystem[] = [
    {
      name: 'parley',
      ports: input.ports.parley,
      start: () => Promise.all(input.ports.parley.map((port, i) => startParley(ctx.build, `parley-ws-${i + 1}`, input.databaseUrl, port))),
    },
    {
      name: 'floor',
      ports: input.ports.relay,
      start: () =>
        Promise.all(
          input.ports.relay.map((port, i) =>
            ServerProcess.start({
              name: `floor-relay-${i + 1}`,
              nodeArgs: ['-r', '@swc-node/register'],
              args: ['bench/floors/relay-floor.ts'],
              env: { PORT: String(port), REDIS_URL },
              port,
            }),
          ),
        ),
    },
  ];
  const harness = WsHarness.start(2, input.actors.fanoutTickets.length);
  const publisher = new Publisher(
    input.databaseUrl,
    REDIS_URL,
    input.actors.fanoutTickets.map((ticket) => ({ ticketId: ticket.ticketId, customerId: ticket.customerId, customerName: customerName(ticket.customerId) })),
    harness.timings,
  );
  const fanoutRuns: RunSample[] = [];
  const memoryRuns: RunSample[] = [];
  const stormRuns: RunSample[] = [];
  const sweeps: Record<string, StepOutcome[][]> = { parley: [], floor: [] };
  let step = 1;
  try {
    for (let r = 0; r < ctx.options.runs; r++) {
      const chosen = systems.filter((system) => !ctx.options.contenders || ctx.options.contenders.has(system.name));
      const order = r % 2 === 0 ? chosen : [...chosen].reverse();
      for (const system of order) {
        // Every round starts from a vacuumed database: the publisher updates a ticket row per message.
        await vacuumDatabase(input.databaseUrl);
        const load1 = currentLoad();
        const specs = await clientSpecs(input, system.ports);
        let servers: ServerProcess[] = [];
        try {
          servers = await system.start();
          await sleep(1000);
          // BENCH_HEAP_SNAPSHOTS=1: snapshots of the first instance around the connections, for bench/heap-diff.ts.
          const snapshots = process.env.BENCH_HEAP_SNAPSHOTS === '1' && system.name === 'parley';
          if (snapshots) ctx.log(`    heap snapshot: ${await servers[0].heapSnapshot(path.join(WORK_DIR, 'profiles', `idle-before-${Date.now()}.heapsnapshot`))}`);
          const before = await Promise.all(servers.map((server) => server.stats(true)));
          const connectCpu = cpuWindow();
          const connected = await harness.connect(specs, 100, 180_000);
          const connectUsage = connectCpu();
          ctx.log(
            `  ${system.name} round ${r + 1}: ${connected.ok} subscribers connected in ${(connected.ms / 1000).toFixed(1)} s, ${connected.failed} failed` +
              `${connected.errors.length ? ` (${connected.errors.slice(0, 2).join('; ')})` : ''}; load generator ${connectUsage.loadGeneratorPct}% of a core`,
          );
          if (connected.ok < subscribers) throw new Error(`${system.name}: only ${connected.ok} of ${subscribers} subscribers connected`);
          await sleep(3000);
          const after = await Promise.all(servers.map((server) => server.stats(true)));
          if (snapshots) ctx.log(`    heap snapshot: ${await servers[0].heapSnapshot(path.join(WORK_DIR, 'profiles', `idle-after-${Date.now()}.heapsnapshot`))}`);
          const rss = after.reduce((sum, s, i) => sum + s.memory.rss - before[i].memory.rss, 0) / subscribers;
          const heap = after.reduce((sum, s, i) => sum + s.memory.heapUsed + s.memory.external - before[i].memory.heapUsed - before[i].memory.external, 0) / subscribers;
          memoryRuns.push({
            contender: system.name,
            round: r + 1,
            value: Math.round(rss),
            figures: { bytesPerConnection: Math.round(rss), heapBytesPerConnection: Math.round(heap), connectSeconds: round(connected.ms / 1000, 1) },
            load1,
            loadGeneratorCpuPct: connectUsage.loadGeneratorPct,
            machineBusyPct: connectUsage.machineBusyPct,
          });
          ctx.log(`    memory per idle subscriber: ${(rss / 1024).toFixed(1)} KB RSS, ${(heap / 1024).toFixed(1)} KB heap+external`);

          const warm = await untilAllLive(ctx, harness, publisher, step++, subscribers, 60_000);
          if (!warm.live) throw new Error(`${system.name}: not every subscriber received a message`);

          if (input.fanout) {
            const outcomes: StepOutcome[] = [];
            for (const rate of rates) {
              const profiling = ctx.options.profile && system.name === 'parley' && r === 0;
              if (profiling) await Promise.all(servers.map((server) => server.profile(true, ctx.options.profile!)));
              const outcome = await sweepStep(harness, publisher, servers, step++, rate, stepSeconds, subscribers);
              if (profiling) {
                for (const server of servers) {
                  ctx.log(`    profile: ${await server.profile(false, path.join(WORK_DIR, 'profiles', `fanout-${rate}-${server.spec.name}-${Date.now()}`))}`);
                }
              }
              outcomes.push(outcome);
              ctx.log(
                `    ${rate} deliveries/s offered: ${outcome.deliveriesPerSecond} delivered/s, p50 ${outcome.p50Ms} ms, p99 ${outcome.p99Ms} ms, p99.9 ${outcome.p999Ms} ms, ` +
                  `lost ${outcome.lost}, duplicated ${outcome.duplicated}, ${outcome.statementsPerDelivery} statements and ${outcome.serverCpuMicrosPerDelivery} µs server CPU per delivery; server ${outcome.serverCpuPct}%, event-loop delay p99 ${outcome.eventLoopDelayP99Ms} ms, max ${outcome.eventLoopDelayMaxMs} ms, GC pause max ${outcome.serverGcMaxMs} ms, ` +
                  `load generator ${outcome.loadGeneratorCpuPct}% (event-loop delay: workers p99 ${outcome.loadGeneratorLoopDelayMs.workersP99} ms, max ${outcome.loadGeneratorLoopDelayMs.workersMax} ms; publisher max ${outcome.loadGeneratorLoopDelayMs.publisherMax} ms; GC pauses max ${outcome.loadGeneratorGcMs.max} ms, ${outcome.loadGeneratorGcMs.total} ms in all), machine ${outcome.machineBusyPct}% ${outcome.passed ? '' : '(FAILED)'}`,
              );
              ctx.log(
                `      server GC: ${outcome.serverGcByKind
                  .map((kinds) => Object.entries(kinds).map(([kind, gc]) => `${kind} ${gc.count}× max ${gc.max} ms`).join(', '))
                  .join(' | ')}`,
              );
              if (!outcome.passed) {
                // Let a backlog drain before the next measurement.
                await sleep(3000);
                break;
              }
            }
            sweeps[system.name].push(outcomes);
            const passed = outcomes.filter((outcome) => outcome.passed);
            const best = passed[passed.length - 1];
            const atTarget = outcomes.find((outcome) => outcome.offeredDeliveriesPerSecond === 10_000);
            fanoutRuns.push({
              contender: system.name,
              round: r + 1,
              value: best?.offeredDeliveriesPerSecond ?? 0,
              figures: {
                maxDeliveriesPerSecond: best?.offeredDeliveriesPerSecond ?? 0,
                ...(atTarget
                  ? {
                      deliveriesPerSecond: atTarget.deliveriesPerSecond,
                      p50Ms: atTarget.p50Ms,
                      p99Ms: atTarget.p99Ms,
                      p999Ms: atTarget.p999Ms,
                      lost: atTarget.lost,
                      duplicated: atTarget.duplicated,
                      statementsPerDelivery: atTarget.statementsPerDelivery,
                      serverCpuMicrosPerDelivery: atTarget.serverCpuMicrosPerDelivery,
                      eventLoopDelayP99Ms: atTarget.eventLoopDelayP99Ms,
                    }
                  : {}),
              },
              load1,
              loadGeneratorCpuPct: atTarget?.loadGeneratorCpuPct ?? best?.loadGeneratorCpuPct ?? 0,
              serverCpuPct: atTarget?.serverCpuPct ?? best?.serverCpuPct,
              machineBusyPct: atTarget?.machineBusyPct ?? best?.machineBusyPct ?? 0,
            });
          }

          if (input.connections) {
            const profilingStorm = ctx.options.profile && system.name === 'parley' && r === 0;
            if (profilingStorm) await Promise.all(servers.map((server) => server.profile(true, ctx.options.profile!)));
            await Promise.all(servers.map((server) => server.reset()));
            const stormCpu = cpuWindow();
            const storm = await harness.storm(120_000);
            const stormStats = await Promise.all(servers.map((server) => server.stats()));
            if (profilingStorm) {
              for (const server of servers) {
                ctx.log(`    profile: ${await server.profile(false, path.join(WORK_DIR, 'profiles', `storm-${server.spec.name}-${Date.now()}`))}`);
              }
            }
            const live = await untilAllLive(ctx, harness, publisher, step++, subscribers, 60_000);
            const usage = stormCpu();
            const counts = await harness.counts();
            ctx.log(
              `    reconnect storm: ${storm.connected} reconnected in ${(storm.connectedMs / 1000).toFixed(1)} s, ${storm.failed} failed; ` +
                `all live again after ${live.seconds.toFixed(1)} s more${storm.errors.length ? ` (${storm.errors.slice(0, 2).join('; ')})` : ''}; load generator ${usage.loadGeneratorPct}%; ` +
                `reconnect: ${stormStats.reduce((sum, x) => sum + x.statements, 0)} statements, ${Math.round(stormStats.reduce((sum, x) => sum + x.cpuMs, 0))} ms of server CPU`,
            );
            stormRuns.push({
              contender: system.name,
              round: r + 1,
              value: round(storm.connectedMs / 1000, 2),
              figures: { connectedSeconds: round(storm.connectedMs / 1000, 2), liveSeconds: round(storm.connectedMs / 1000 + live.seconds, 2), errors: storm.failed + (live.live ? 0 : 1), open: counts.open },
              load1,
              loadGeneratorCpuPct: usage.loadGeneratorPct,
              machineBusyPct: usage.machineBusyPct,
            });
          }
        } finally {
          await harness.close().catch(() => undefined);
          await stopAll(servers);
        }
      }
    }
  } finally {
    await publisher.close().catch(() => undefined);
    await harness.terminate();
  }

  const entries: BenchmarkEntry[] = [];
  if (input.fanout) {
    const sweepNote = (name: string) =>
      sweeps[name]
        .map((outcomes, i) => `round ${i + 1}: ${outcomes.map((o) => `${o.offeredDeliveriesPerSecond / 1000}k → p99 ${o.p99Ms} ms${o.lost ? `, ${o.lost} lost` : ''}${o.loadGeneratorLoopDelayMs.workersMax > 20 ? ` (load generator stalled up to ${o.loadGeneratorLoopDelayMs.workersMax} ms)` : ''}${o.passed ? '' : ' ✗'}`).join('; ')}`)
        .join(' | ');
    entries.push(
      entryFrom(ctx, {
        key: 'fanout',
        name: 'Fan-out: 2,000 tickets × 5 subscribers (10,000 sockets on two instances, one Redis), messages published at a swept rate',
        metric: 'max deliveries/s with p99 < 50 ms, nothing lost',
        unit: 'deliveries/s',
        higherIsBetter: true,
        parleyContender: 'parley',
        comparisonContender: 'floor',
        comparisonName: 'floor: bare ws + Redis relay forwarding pre-serialized frames on the same channels',
        target: '10,000 deliveries/s at p99 < 50 ms with nothing lost; ≥ 0.5× the floor’s maximum',
        meets: (p, f) => (p.p99Ms ?? Infinity) < P99_LIMIT_MS && p.lost === 0 && p.maxDeliveriesPerSecond >= 10_000 && p.maxDeliveriesPerSecond >= 0.5 * f.maxDeliveriesPerSecond,
        runs: fanoutRuns,
        notes: [
          `Sweep (deliveries/s offered): ${rates.join(', ')}; ${stepSeconds} s each; a step passes with p99 < ${P99_LIMIT_MS} ms, nothing lost or duplicated and ≥ 95% of the rate published. The maximum is the last step passed.`,
          'Latency: from the publisher’s PUBLISH (after its commit) to the client’s receipt of the frame, on one monotonic clock. The figures at 10,000 deliveries/s are those of that step.',
          'The publisher writes each message (counters and insert, one statement per batch) before publishing, for both systems, as sendMessage would; its CPU is part of the load generator’s.',
          'Each worker thread of the load generator runs a full GC before a step and reports its own event-loop delay; a step where one stalled more than 20 ms says so below (its tail is then partly the load generator’s).',
          `Parley: ${sweepNote('parley')}`,
          `Floor: ${sweepNote('floor')}`,
        ],
      }),
    );
  }
  if (input.connections) {
    entries.push(
      entryFrom(ctx, {
        key: 'connections-memory',
        name: 'Connections: memory per idle subscriber at 10,000 sockets (two instances)',
        metric: 'bytes per connection (RSS after GC)',
        unit: 'bytes',
        higherIsBetter: false,
        parleyContender: 'parley',
        comparisonContender: 'floor',
        comparisonName: 'floor: bare ws + Redis relay',
        target: '≤ 30 KB per connection',
        meets: (p) => p.bytesPerConnection <= 30 * 1024,
        runs: memoryRuns,
        notes: ['Resident memory of both instances after a full GC, subscribed and idle, minus the same before the first connection, divided by the sockets.'],
      }),
      entryFrom(ctx, {
        key: 'reconnect-storm',
        name: 'Connections: reconnect storm, all 10,000 subscribers at once, resuming with afterSeq',
        metric: 'seconds until every socket is acknowledged again',
        unit: 's',
        higherIsBetter: false,
        parleyContender: 'parley',
        comparisonContender: 'floor',
        comparisonName: 'floor: bare ws + Redis relay (no authentication, no replay)',
        target: '10,000 reconnects in < 10 s with no errors',
        meets: (p) => p.connectedSeconds < 10 && p.errors === 0,
        runs: stormRuns,
        notes: ['Every client closes its socket at the same moment, then every one reconnects at once and resubscribes from the last seq it saw. "All live again": until a message published to every ticket reached all 10,000.'],
      }),
    );
  }
  return entries;
}

/** The seed names customer n "Customer n"; its id is `usr_` + n in hex. */
function customerName(userId: string): string {
  return `Customer ${parseInt(userId.slice(4), 16)}`;
}
