import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PROJECT_ROOT } from './paths';
import { sleep } from './processes';

export interface MachineInfo {
  cpu: string;
  cores: number;
  memoryGiB: number;
  kernel: string;
  hostname: string;
}

export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    kernel: `${os.type()} ${os.release()}`,
    hostname: os.hostname(),
  };
}

function packageVersion(name: string, from = PROJECT_ROOT): string {
  try {
    const file = require.resolve(`${name}/package.json`, { paths: [from] });
    return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
  } catch {
    // Some packages do not export package.json; find it next to their entry point.
    try {
      let dir = path.dirname(require.resolve(name, { paths: [from] }));
      for (let i = 0; i < 5; i++, dir = path.dirname(dir)) {
        try {
          const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string; version: string };
          if (pkg.name === name) return pkg.version;
        } catch {
          // keep looking upwards
        }
      }
    } catch {
      // not installed
    }
    return 'not installed';
  }
}

export function gitCommit(): string {
  try {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: PROJECT_ROOT, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src'], { cwd: PROJECT_ROOT, encoding: 'utf8' }).trim();
    return dirty ? `${commit} (+ uncommitted changes in src/)` : commit;
  } catch {
    return 'unknown';
  }
}

export function softwareVersions(extra: Record<string, string> = {}): Record<string, string> {
  const names = ['@apollo/server', 'graphql', 'type-graphql', '@mikro-orm/core', 'graphql-ws', 'ws', 'ioredis', 'pg', 'autocannon', 'hdr-histogram-js'];
  return { node: process.version, ...Object.fromEntries(names.map((name) => [name, packageVersion(name)])), ...extra };
}

export function loadAverage(): [number, number, number] {
  const [one, five, fifteen] = os.loadavg();
  return [round(one, 2), round(five, 2), round(fifteen, 2)];
}

/**
 * Waits until the 1-minute load average is under `max` (other work on the machine would share
 * the two cores with the benchmark), at most `timeoutMs`. Returns the load it settled at and
 * whether it was quiet, so the result can say so either way.
 */
export async function waitForQuiet(max: number, timeoutMs: number, log: (line: string) => void): Promise<{ load: number; quiet: boolean }> {
  const deadline = Date.now() + timeoutMs;
  let warned = false;
  for (;;) {
    const [load] = loadAverage();
    if (load < max) return { load, quiet: true };
    if (Date.now() >= deadline) {
      log(`  load average still ${load} (wanted < ${max}); measuring anyway, and saying so in the results`);
      return { load, quiet: false };
    }
    if (!warned) log(`  waiting for the machine to quieten (1-min load ${load}, want < ${max})`);
    warned = true;
    await sleep(5000);
  }
}

/** Whole-machine CPU time, from /proc/stat: busy and total jiffies over all cores. */
function machineTicks(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
  const fields = line.trim().split(/\s+/).slice(1).map(Number);
  const idle = fields[3] + (fields[4] ?? 0);
  const total = fields.reduce((sum, value) => sum + value, 0);
  return { busy: total - idle, total };
}

/** CPU used while something runs: by this process (the load generator) and by the whole machine. */
export interface CpuWindow {
  /** This process (load generator: autocannon, the websocket workers, the publisher), in % of one core. */
  loadGeneratorPct: number;
  /** Everything on the machine, in % of all cores together (100 = both cores busy). */
  machineBusyPct: number;
  wallMs: number;
}

export function cpuWindow(): () => CpuWindow {
  const cpu = process.cpuUsage();
  const ticks = machineTicks();
  const started = performance.now();
  return () => {
    const used = process.cpuUsage(cpu);
    const now = machineTicks();
    const wallMs = performance.now() - started;
    const busy = now.total > ticks.total ? (now.busy - ticks.busy) / (now.total - ticks.total) : 0;
    return {
      loadGeneratorPct: round(((used.user + used.system) / 1000 / wallMs) * 100, 1),
      machineBusyPct: round(busy * 100, 1),
      wallMs: Math.round(wallMs),
    };
  };
}

export function round(value: number, digits = 2): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
