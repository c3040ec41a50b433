/**
 * What grew between two heap snapshots (the probe's `heapsnapshot`), by constructor: objects and
 * self size. For "what does one more subscriber cost?" take one before connecting and one after.
 *
 *   node -r @swc-node/register bench/heap-diff.ts before.heapsnapshot after.heapsnapshot [top] [per]
 */
import { readFileSync } from 'node:fs';

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: (string | string[])[] } };
  nodes: number[];
  strings: string[];
}

function byConstructor(file: string): Map<string, { count: number; size: number }> {
  const snapshot = JSON.parse(readFileSync(file, 'utf8')) as Snapshot;
  const fields = snapshot.snapshot.meta.node_fields;
  const types = snapshot.snapshot.meta.node_types[0] as string[];
  const width = fields.length;
  const typeAt = fields.indexOf('type');
  const nameAt = fields.indexOf('name');
  const sizeAt = fields.indexOf('self_size');
  const out = new Map<string, { count: number; size: number }>();
  for (let i = 0; i < snapshot.nodes.length; i += width) {
    const type = types[snapshot.nodes[i + typeAt]];
    const detail = process.env.HEAP_DIFF_DETAIL === type;
    const name = type === 'object' || type === 'closure' || detail ? `${type}:${snapshot.strings[snapshot.nodes[i + nameAt]].slice(0, 80)}` : `(${type})`;
    const entry = out.get(name) ?? { count: 0, size: 0 };
    entry.count++;
    entry.size += snapshot.nodes[i + sizeAt];
    out.set(name, entry);
  }
  return out;
}

const [beforeFile, afterFile, topArg, perArg] = process.argv.slice(2);
const before = byConstructor(beforeFile);
const after = byConstructor(afterFile);
const per = Number(perArg ?? 1);
const rows = [...after].map(([name, a]) => {
  const b = before.get(name) ?? { count: 0, size: 0 };
  return { name, count: a.count - b.count, size: a.size - b.size };
});
const total = rows.reduce((sum, row) => sum + row.size, 0);
console.log(`grew by ${(total / 1024 / 1024).toFixed(1)} MB${per > 1 ? `, ${(total / per).toFixed(0)} bytes per unit` : ''}`);
for (const row of rows.sort((x, y) => y.size - x.size).slice(0, Number(topArg ?? 40))) {
  console.log(`${(row.size / per).toFixed(0).padStart(8)} B  ${(row.count / per).toFixed(2).padStart(8)} objects  ${row.name}`);
}
