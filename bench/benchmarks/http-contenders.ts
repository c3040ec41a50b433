import { runHttpLoad, type HttpLoad, type HttpResult } from '../lib/http-load';
import { currentLoad, probed, type BenchContext } from '../lib/context';
import { WORK_DIR } from '../lib/paths';
import type { ServerProcess } from '../lib/processes';
import type { RunSample } from '../lib/results';
import path from 'node:path';

/** Something answering the same HTTP request under load: Parley, a floor, a peer. */
export interface HttpContender {
  name: string;
  load: Omit<HttpLoad, 'connections' | 'durationSeconds'>;
  /** Its processes, for statements and CPU. */
  servers: ServerProcess[];
  /** Profile these when --profile is given. */
  profile?: boolean;
}

export interface HttpRound {
  connections: number;
  durationSeconds: number;
  warmupSeconds: number;
  /** Before each timed run (a vacuum after a writing contender's run, so the next one does not read through its dead rows). */
  beforeEach?: () => Promise<void>;
}

/**
 * Runs every contender `runs` times, interleaved (the order rotates each round, so none always
 * follows another's heat), after a warm-up of each. Returns one sample per timed run.
 */
export async function interleavedHttpRuns(ctx: BenchContext, label: string, all: HttpContender[], round: HttpRound): Promise<RunSample[]> {
  const contenders = all.filter((contender) => !ctx.options.contenders || ctx.options.contenders.has(contender.name));
  for (const contender of contenders) {
    const warm = await runHttpLoad({ ...contender.load, connections: round.connections, durationSeconds: round.warmupSeconds });
    ctx.log(`  warm-up ${contender.name}: ${warm.requestsPerSecond} req/s, ${warm.failures} failures`);
    if (warm.requests > 0 && warm.failures === warm.requests) throw new Error(`${label}: every warm-up request to ${contender.name} failed`);
  }
  const samples: RunSample[] = [];
  for (let r = 0; r < ctx.options.runs; r++) {
    const order = contenders.map((_, i) => contenders[(i + r) % contenders.length]);
    for (const contender of order) {
      await round.beforeEach?.();
      const load1 = currentLoad();
      const profiling = ctx.options.profile && contender.profile && r === 0;
      if (profiling) await Promise.all(contender.servers.map((server) => server.profile(true, ctx.options.profile!)));
      const { result, statements, serverCpuPct, loopDelayP99Ms } = await probed(contender.servers, () =>
        runHttpLoad({ ...contender.load, connections: round.connections, durationSeconds: round.durationSeconds }),
      );
      if (profiling) {
        for (const server of contender.servers) {
          const file = await server.profile(false, path.join(WORK_DIR, 'profiles', `${label}-${server.spec.name}-${Date.now()}`));
          ctx.log(`    profile: ${file}`);
        }
      }
      samples.push(sampleOf(contender.name, r + 1, result, statements, serverCpuPct, loopDelayP99Ms, load1));
      ctx.log(
        `  ${label} round ${r + 1} ${contender.name}: ${result.requestsPerSecond} req/s, p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms, ` +
          `${(statements / Math.max(result.requests, 1)).toFixed(2)} statements/req, ${result.failures} failures; ` +
          `load generator ${result.cpu.loadGeneratorPct}% of a core, server ${serverCpuPct}%, machine ${result.cpu.machineBusyPct}% (load ${load1})`,
      );
    }
  }
  return samples;
}

function sampleOf(contender: string, round: number, result: HttpResult, statements: number, serverCpuPct: number, loopDelayP99Ms: number, load1: number): RunSample {
  return {
    contender,
    round,
    value: result.requestsPerSecond,
    figures: {
      requestsPerSecond: result.requestsPerSecond,
      p50Ms: result.p50Ms,
      p99Ms: result.p99Ms,
      requests: result.requests,
      failures: result.failures,
      statementsPerRequest: Math.round((statements / Math.max(result.requests, 1)) * 100) / 100,
      // CPU time per request is steadier than throughput on a shared machine: it shows a change's effect through noise.
      serverCpuMsPerRequest: Math.round(((serverCpuPct / 100) * 1000 * 100) / Math.max(result.requestsPerSecond, 0.01)) / 100,
      eventLoopDelayP99Ms: loopDelayP99Ms,
    },
    load1,
    loadGeneratorCpuPct: result.cpu.loadGeneratorPct,
    serverCpuPct,
    machineBusyPct: result.cpu.machineBusyPct,
  };
}
