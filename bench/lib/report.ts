import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { BenchContext } from './context';
import { BENCH_ROOT } from './paths';
import type { BenchmarkEntry, ResultsFile } from './results';

const RESULTS_JSON = path.join(BENCH_ROOT, 'results.json');
const RESULTS_MD = path.join(BENCH_ROOT, 'RESULTS.md');
/** Hand-written: what the numbers led us to change in the product, and what is left. */
const NOTES_MD = path.join(BENCH_ROOT, 'NOTES.md');

/** Benchmarks in the order the issue lists them; each key's entries stay together. */
const ORDER = ['list', 'list-peer', 'send', 'fanout', 'connections-memory', 'reconnect-storm', 'dashboard'];
const orderOf = (key: string) => {
  const index = ORDER.findIndex((prefix) => key === prefix || key.startsWith(`${prefix}-`));
  return index < 0 ? ORDER.length : index;
};

/**
 * Writes results.json and RESULTS.md. With `replaceOnlyRun`, entries of benchmarks that did not
 * run this time are kept from the previous file (their own date says when they were measured).
 */
export function writeResults(entries: BenchmarkEntry[], ctx: BenchContext, options: { replaceOnlyRun: boolean }): string[] {
  let all = entries;
  if (options.replaceOnlyRun && existsSync(RESULTS_JSON)) {
    const previous = JSON.parse(readFileSync(RESULTS_JSON, 'utf8')) as ResultsFile;
    const fresh = new Set(entries.map((entry) => entry.key));
    const ranGroups = new Set(entries.map((entry) => entry.key.split('-')[0]));
    all = [...previous.entries.filter((entry) => !fresh.has(entry.key) && !ranGroups.has(entry.key.split('-')[0])), ...entries];
  }
  all = [...all].sort((a, b) => orderOf(a.key) - orderOf(b.key) || a.key.localeCompare(b.key));
  const file: ResultsFile = { generatedAt: new Date().toISOString(), machine: ctx.machine, versions: ctx.versions, entries: all };
  writeFileSync(RESULTS_JSON, `${JSON.stringify(file, null, 2)}\n`);
  writeFileSync(RESULTS_MD, markdown(file));
  return [path.relative(process.cwd(), RESULTS_JSON), path.relative(process.cwd(), RESULTS_MD)];
}

function format(value: number | null | undefined, unit = ''): string {
  if (value === null || value === undefined || Number.isNaN(value)) return '—';
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  const text = value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
  return unit ? `${text} ${unit}` : text;
}

const met = (entry: BenchmarkEntry) => (entry.met === null ? '—' : entry.met ? 'yes' : '**no**');

/** The figures shown per contender, in this order, with their labels. */
const FIGURE_LABELS: [string, string][] = [
  ['requestsPerSecond', 'req/s'],
  ['deliveriesPerSecond', 'deliveries/s'],
  ['maxDeliveriesPerSecond', 'max deliveries/s'],
  ['p50Ms', 'p50 ms'],
  ['p99Ms', 'p99 ms'],
  ['p999Ms', 'p99.9 ms'],
  ['lost', 'lost'],
  ['duplicated', 'duplicated'],
  ['failures', 'failures'],
  ['statementsPerRequest', 'statements/req'],
  ['statementsPerDelivery', 'statements/delivery'],
  ['serverCpuMsPerRequest', 'server CPU ms/req'],
  ['serverCpuMicrosPerDelivery', 'server CPU µs/delivery'],
  ['overheadPct', 'overhead vs direct SQL %'],
  ['bytesPerConnection', 'bytes/conn (RSS)'],
  ['heapBytesPerConnection', 'bytes/conn (heap+external)'],
  ['connectedSeconds', 'all connected, s'],
  ['liveSeconds', 'all live again, s'],
  ['errors', 'errors'],
  ['eventLoopDelayP99Ms', 'event-loop delay p99 ms'],
  ['serverCpuPct', 'server CPU % of a core'],
  ['loadGeneratorCpuPct', 'load generator CPU % of a core'],
  ['machineBusyPct', 'machine busy % (2 cores)'],
  ['load1', 'load avg before'],
];

function figuresTable(entry: BenchmarkEntry): string {
  const contenders = Object.keys(entry.figures);
  if (!contenders.length) return '';
  const rows = FIGURE_LABELS.filter(([key]) => contenders.some((name) => entry.figures[name][key] !== undefined));
  const extra = [...new Set(contenders.flatMap((name) => Object.keys(entry.figures[name])))].filter(
    (key) => key !== 'value' && key !== 'requests' && !FIGURE_LABELS.some(([known]) => known === key),
  );
  const lines = [`| | ${contenders.join(' | ')} |`, `|---|${contenders.map(() => '---:').join('|')}|`];
  for (const [key, label] of rows) lines.push(`| ${label} | ${contenders.map((name) => cell(entry.figures[name][key])).join(' | ')} |`);
  for (const key of extra) lines.push(`| ${key} | ${contenders.map((name) => cell(entry.figures[name][key])).join(' | ')} |`);
  return lines.join('\n');
}

function cell(value: number | string | undefined): string {
  if (value === undefined) return '';
  return typeof value === 'number' ? format(value) : value;
}

function runsTable(entry: BenchmarkEntry): string {
  if (!entry.runs.length) return '';
  const lines = ['| round | contender | value | load avg | load gen CPU % | server CPU % | machine busy % |', '|---:|---|---:|---:|---:|---:|---:|'];
  for (const run of entry.runs) {
    lines.push(`| ${run.round} | ${run.contender} | ${format(run.value)} | ${run.load1} | ${run.loadGeneratorCpuPct} | ${run.serverCpuPct ?? ''} | ${run.machineBusyPct} |`);
  }
  return `<details><summary>Every run</summary>\n\n${lines.join('\n')}\n\n</details>`;
}

export function markdown(file: ResultsFile): string {
  const { machine, versions } = file;
  const out: string[] = [];
  out.push('# Parley benchmark results', '');
  out.push(
    `Generated by \`npm run bench\` on ${file.generatedAt.slice(0, 16).replace('T', ' ')} UTC. ` +
      `Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.kernel}. ` +
      'Everything (Parley, the comparisons, PostgreSQL, Redis and the load generator) shares those cores, so every result carries the CPU the load generator used and the load average before it.',
    '',
  );
  out.push(`Versions: ${Object.entries(versions).map(([name, version]) => `${name} ${version}`).join(', ')}.`, '');
  out.push('## Summary', '');
  out.push('| benchmark | metric | Parley | comparison | ratio | target | met | measured |');
  out.push('|---|---|---:|---:|---:|---|---|---|');
  for (const entry of file.entries) {
    out.push(
      `| ${entry.name} | ${entry.metric} | ${format(entry.parley)} | ${format(entry.comparison)} (${entry.comparisonName.split(':')[0]}) | ${format(entry.ratio)}× | ${entry.target} | ${met(entry)} | ${entry.date.slice(0, 16).replace('T', ' ')}, load ${entry.conditions.loadBefore[0]}${entry.conditions.quietBefore ? '' : ' (busy)'}, ${entry.conditions.mode} |`,
    );
  }
  out.push('');
  for (const entry of file.entries) {
    out.push(`## ${entry.name}`, '');
    out.push(`Metric: ${entry.metric}. Compared with ${entry.comparisonName}. Target: ${entry.target}.`, '');
    out.push(`Parley ${format(entry.parley, entry.unit)}, comparison ${format(entry.comparison, entry.unit)}: ratio ${format(entry.ratio)}×; target met: ${met(entry)}.`, '');
    out.push('Medians over the runs:', '', figuresTable(entry), '');
    for (const note of entry.notes) out.push(`- ${note}`);
    if (entry.notes.length) out.push('');
    out.push(runsTable(entry), '');
  }
  if (existsSync(NOTES_MD)) out.push(readFileSync(NOTES_MD, 'utf8').trim(), '');
  return `${out.join('\n')}\n`;
}
