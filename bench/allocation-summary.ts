/**
 * What a server allocated while a sampling heap profile ran (`npm run bench -- --profile-allocations`:
 * the probe's HeapProfiler sampling, keeping objects that young- and old-generation GC collected):
 * bytes by package, by allocating function, and by function including its callees.
 *
 *   node -r @swc-node/register bench/allocation-summary.ts bench/.work/profiles/<file>.heapprofile [top]
 *
 * Allocation, not CPU, was what the fan-out's tail came down to (scavenges copying what lives
 * from one event to the next); a CPU profile shows the collector's time but not who fed it.
 */
import { readFileSync } from 'node:fs';
import { packageOf, type ProfileNode } from './lib/cpu-profile';

interface SamplingNode {
  callFrame: ProfileNode['callFrame'];
  selfSize: number;
  children: SamplingNode[];
}

const label = (node: SamplingNode) => `${node.callFrame.functionName || '(anonymous)'} ${packageOf(node.callFrame.url)}:${node.callFrame.lineNumber + 1}`;

function main(): void {
  const [file, topArg] = process.argv.slice(2);
  if (!file) throw new Error('usage: allocation-summary.ts <file>.heapprofile [top]');
  const top = Number(topArg ?? 30);
  const { head } = JSON.parse(readFileSync(file, 'utf8')) as { head: SamplingNode };
  const byFunction = new Map<string, number>();
  const byPackage = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let total = 0;
  const add = (map: Map<string, number>, key: string, bytes: number) => map.set(key, (map.get(key) ?? 0) + bytes);
  const walk = (node: SamplingNode, callers: ReadonlySet<string>) => {
    const name = label(node);
    total += node.selfSize;
    add(byFunction, name, node.selfSize);
    add(byPackage, packageOf(node.callFrame.url), node.selfSize);
    const stack = new Set(callers).add(name);
    for (const frame of stack) add(inclusive, frame, node.selfSize);
    for (const child of node.children) walk(child, stack);
  };
  walk(head, new Set());
  const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1).padStart(7)} MB`;
  const print = (title: string, map: Map<string, number>) => {
    console.log(`\n${title}`);
    for (const [key, bytes] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${((100 * bytes) / total).toFixed(1).padStart(5)}%  ${mb(bytes)}  ${key}`);
  };
  console.log(`allocated (sampled): ${mb(total)}`);
  print('by package', byPackage);
  print('by allocating function', byFunction);
  print('by function, with what it calls', inclusive);
}

main();
