import type { ProfileKind } from './processes';
import type { ParleyBuild } from './parley';
import type { BenchmarkEntry, RunSample } from './results';
import { median, medianFigures, roundTo } from './results';
import type { MachineInfo } from './machine';
import { loadAverage } from './machine';
import type { ServerProcess } from './processes';

export interface BenchOptions {
  only: Set<string> | null;
  quick: boolean;
  /** Timed runs per contender (at least 3 in a full run). */
  runs: number;
  /** Reuse the seeded databases when they exist (iteration); a full run reseeds. */
  reuseData: boolean;
  /** Write CPU profiles, or sampled allocation profiles, of Parley during the runs (bench/.work/profiles). */
  profile: ProfileKind | null;
  /** Wait for a 1-minute load under this before starting. */
  maxLoad: number;
  quietTimeoutSeconds: number;
  /** Fan-out sweep override (deliveries/s), for experiments. */
  rates: number[] | null;
  /** Only these contenders (parley, floor, postgraphile, direct), for experiments; null: all. */
  contenders: Set<string> | null;
}

export interface BenchContext {
  options: BenchOptions;
  log: (line: string) => void;
  build: ParleyBuild;
  machine: MachineInfo;
  versions: Record<string, string>;
  loadBefore: [number, number, number];
  quietBefore: boolean;
}

/** Runs `fn` with the probe counters of `servers` reset before and read after; CPU summed over them. */
export async function probed<T>(servers: ServerProcess[], fn: () => Promise<T>): Promise<{ result: T; statements: number; serverCpuPct: number; loopDelayP99Ms: number }> {
  await Promise.all(servers.map((server) => server.reset()));
  const result = await fn();
  const stats = await Promise.all(servers.map((server) => server.stats()));
  const statements = stats.reduce((sum, s) => sum + s.statements, 0);
  const serverCpuPct = stats.reduce((sum, s) => sum + (s.cpuMs / s.wallMs) * 100, 0);
  const loopDelayP99Ms = Math.max(...stats.map((s) => s.loopDelayMs.p99));
  return { result, statements, serverCpuPct: roundTo(serverCpuPct, 1), loopDelayP99Ms: roundTo(loopDelayP99Ms, 2) };
}

export function currentLoad(): number {
  return loadAverage()[0];
}

export interface EntryInput {
  key: string;
  name: string;
  metric: string;
  unit: string;
  higherIsBetter: boolean;
  parleyContender: string;
  comparisonContender: string;
  comparisonName: string;
  target: string;
  /** Whether Parley's medians meet the target. */
  meets: (parley: Record<string, number>, comparison: Record<string, number>) => boolean | null;
  runs: RunSample[];
  notes?: string[];
  /** Figures of other contenders (peers) to keep beside the two compared. */
  extraContenders?: string[];
}

/** Turns runs into a results entry: medians per contender, the ratio, whether the target is met. */
export function entryFrom(ctx: BenchContext, input: EntryInput): BenchmarkEntry {
  const byContender = (name: string) => input.runs.filter((run) => run.contender === name);
  const parleyRuns = byContender(input.parleyContender);
  const comparisonRuns = byContender(input.comparisonContender);
  const parley = parleyRuns.length ? medianFigures(parleyRuns) : null;
  const comparison = comparisonRuns.length ? medianFigures(comparisonRuns) : null;
  const figures: BenchmarkEntry['figures'] = {};
  if (parley) figures[input.parleyContender] = parley;
  if (comparison) figures[input.comparisonContender] = comparison;
  for (const extra of input.extraContenders ?? []) {
    const runs = byContender(extra);
    if (runs.length) figures[extra] = medianFigures(runs);
  }
  const parleyValue = parleyRuns.length ? roundTo(median(parleyRuns.map((run) => run.value)), 3) : null;
  const comparisonValue = comparisonRuns.length ? roundTo(median(comparisonRuns.map((run) => run.value)), 3) : null;
  return {
    key: input.key,
    name: input.name,
    metric: input.metric,
    unit: input.unit,
    higherIsBetter: input.higherIsBetter,
    parley: parleyValue,
    comparison: comparisonValue,
    comparisonName: input.comparisonName,
    ratio: parleyValue !== null && comparisonValue ? roundTo(parleyValue / comparisonValue, 3) : null,
    target: input.target,
    met: parley && comparison ? input.meets(parley, comparison) : null,
    figures,
    notes: input.notes ?? [],
    runs: input.runs,
    machine: ctx.machine,
    date: new Date().toISOString(),
    versions: ctx.versions,
    conditions: {
      loadBefore: ctx.loadBefore,
      quietBefore: ctx.quietBefore,
      mode: ctx.options.quick ? 'quick' : 'full',
      parleyBuild: ctx.build.kind,
    },
  };
}
