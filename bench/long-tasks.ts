/**
 * The long tasks of a V8 CPU profile: stretches where the event loop never went idle, so every
 * event due meanwhile waited. A profile's totals say where CPU went; a delivery's tail comes from
 * such stretches, which totals hide.
 *
 *   node -r @swc-node/register bench/long-tasks.ts <file.cpuprofile> [minimum ms, default 20] [functions per task, default 8]
 *
 * For each task: when it started (s into the profile), how long it ran, and the functions that
 * ran longest in it (self time, and the nearest frame of Parley's own code above them).
 */
import { frameLabel as label, loadProfile } from './lib/cpu-profile';

const [file, minimumArg, topArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: long-tasks.ts <file.cpuprofile> [minimum ms] [functions per task]');
  process.exit(2);
}
const minimumMs = Number(minimumArg ?? 20);
const top = Number(topArg ?? 8);
const profile = loadProfile(file);
const { byId, parentOf } = profile;

const IDLE = new Set(['(idle)', '(program)']);
/** The nearest frame of the project's own code (src/) on the sample's stack, if any. */
function ownFrame(id: number): string | null {
  for (let current: number | undefined = id; current !== undefined; current = parentOf.get(current)) {
    const node = byId.get(current)!;
    if (node.callFrame.url.includes('/src/')) return label(node);
  }
  return null;
}

interface Task {
  startMs: number;
  ms: number;
  self: Map<string, number>;
}

const tasks: Task[] = [];
let elapsedMs = 0;
let current: Task | null = null;
for (let i = 0; i < profile.samples.length; i++) {
  const deltaMs = (profile.timeDeltas[i] ?? 0) / 1000;
  elapsedMs += deltaMs;
  const node = byId.get(profile.samples[i])!;
  if (IDLE.has(node.callFrame.functionName)) {
    if (current && current.ms >= minimumMs) tasks.push(current);
    current = null;
    continue;
  }
  current ??= { startMs: elapsedMs, ms: 0, self: new Map() };
  // A sample's delta is the time since the previous one: it belongs to this sample's stack.
  current.ms += deltaMs;
  const own = ownFrame(node.id);
  const key = own && own !== label(node) ? `${label(node)}  ← ${own}` : label(node);
  current.self.set(key, (current.self.get(key) ?? 0) + deltaMs);
}
if (current && current.ms >= minimumMs) tasks.push(current);

console.log(`${tasks.length} tasks of ${minimumMs} ms or more in ${(elapsedMs / 1000).toFixed(1)} s of profile`);
for (const task of tasks.sort((a, b) => b.ms - a.ms).slice(0, 20)) {
  console.log(`\n${task.ms.toFixed(1)} ms at ${(task.startMs / 1000).toFixed(2)} s`);
  const rows = [...task.self.entries()].sort((a, b) => b[1] - a[1]).slice(0, top);
  for (const [name, ms] of rows) console.log(`  ${ms.toFixed(1).padStart(6)} ms  ${name}`);
}
