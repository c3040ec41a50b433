import type { MachineInfo } from './machine';

/** One timed run of one contender. */
export interface RunSample {
  contender: string;
  round: number;
  /** The benchmark's headline metric for this run. */
  value: number;
  /** Other figures of the run (latencies, statements, failures...). */
  figures: Record<string, number>;
  /** 1-minute load average just before the run (our own previous run included). */
  load1: number;
  /** CPU of the load generator (this process and its worker threads), % of one core. */
  loadGeneratorCpuPct: number;
  /** CPU of the server(s) under test, % of one core (summed over instances). */
  serverCpuPct?: number;
  /** The whole machine, % of both cores. */
  machineBusyPct: number;
}

export interface BenchmarkEntry {
  /** Stable key: `list`, `send`, `fanout`, `connections-memory`, `dashboard-stats-1m`... */
  key: string;
  name: string;
  metric: string;
  unit: string;
  higherIsBetter: boolean;
  /** Medians over the runs. */
  parley: number | null;
  comparison: number | null;
  comparisonName: string;
  /** parley / comparison. */
  ratio: number | null;
  target: string;
  met: boolean | null;
  /** Medians of the other figures, per contender. */
  figures: Record<string, Record<string, number | string>>;
  notes: string[];
  runs: RunSample[];
  machine: MachineInfo;
  date: string;
  versions: Record<string, string>;
  conditions: { loadBefore: [number, number, number]; quietBefore: boolean; mode: 'full' | 'quick'; parleyBuild: string };
}

export interface ResultsFile {
  generatedAt: string;
  machine: MachineInfo;
  versions: Record<string, string>;
  entries: BenchmarkEntry[];
}

export function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Medians of every figure of a contender's runs. */
export function medianFigures(runs: RunSample[]): Record<string, number> {
  const names = new Set(runs.flatMap((run) => Object.keys(run.figures)));
  const out: Record<string, number> = {};
  for (const name of names) {
    const values = runs.map((run) => run.figures[name]).filter((value) => typeof value === 'number' && Number.isFinite(value));
    if (values.length) out[name] = roundTo(median(values), 3);
  }
  out.value = roundTo(median(runs.map((run) => run.value)), 3);
  out.loadGeneratorCpuPct = roundTo(median(runs.map((run) => run.loadGeneratorCpuPct)), 1);
  out.machineBusyPct = roundTo(median(runs.map((run) => run.machineBusyPct)), 1);
  const server = runs.map((run) => run.serverCpuPct).filter((value): value is number => typeof value === 'number');
  if (server.length) out.serverCpuPct = roundTo(median(server), 1);
  out.load1 = roundTo(median(runs.map((run) => run.load1)), 2);
  return out;
}

export function roundTo(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
