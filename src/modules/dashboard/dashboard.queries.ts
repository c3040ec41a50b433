import type { EntityManager } from '@mikro-orm/postgresql';
import { escapeLiteral } from 'pg';
import { slaMissedSql } from '../sla';
import { splitAtHours, splitForDays, type StatsScope } from './stats-range';

/**
 * The dashboard's SQL. Every figure is an aggregate: whole hours come from the hourly rollups plus
 * the deltas not folded into them yet (read in one snapshot, so the sum is exact), and the pieces
 * of a range that are not whole hours come from the tickets table through the same
 * `ticket_stats_measures` the triggers use. Nothing here loads an entity.
 */

/** The rollups' measure columns (the dashboard migration defines them). */
export const MEASURES = [
  'created',
  'status_open',
  'status_in_progress',
  'status_waiting',
  'status_resolved',
  'status_closed',
  'priority_low',
  'priority_normal',
  'priority_high',
  'priority_urgent',
  'first_response_count',
  'first_response_seconds',
  'resolution_count',
  'resolution_seconds',
  'rating_count',
  'rating_sum',
  'sla_count',
  'sla_met',
  'sla_missed',
  'resolved',
] as const;

export type Measure = (typeof MEASURES)[number];
export type Measures = Record<Measure, number>;

const FLOATS = new Set<Measure>(['first_response_seconds', 'resolution_seconds']);
const columns = (alias: string) => MEASURES.map((m) => `${alias}.${m}`).join(', ');
const sums = MEASURES.map((m) => `sum(x.${m})::${FLOATS.has(m) ? 'float8' : 'int'} as ${m}`).join(', ');

export function emptyMeasures(): Measures {
  return Object.fromEntries(MEASURES.map((m) => [m, 0])) as Measures;
}

export function addMeasures(into: Measures, row: Partial<Measures>): Measures {
  for (const m of MEASURES) into[m] += Number(row[m] ?? 0);
  return into;
}

/**
 * A timestamp as ms since the epoch: MikroORM has node-pg hand timestamps over as text, which
 * Date can not be trusted to parse.
 */
const epochMs = (column: string) => `(extract(epoch from ${column}) * 1000)::float8`;

/**
 * One statement of the statistics, in one round trip. JIT is off for it: the statements are
 * small, but the planner, unable to size ranges bound at run time (and ticket_stats_measures'
 * rows), can estimate them big enough to spend seconds compiling them. `SET LOCAL` and the
 * statement go as one simple query, which PostgreSQL runs as one implicit transaction, so the
 * setting ends with it (no BEGIN and COMMIT of their own); the parameters are inlined as literals
 * for that (`inlineParameters`).
 */
async function read<T>(em: EntityManager, sql: string, params: unknown[]): Promise<T[]> {
  const results = await em.getConnection().getKnex().raw(`set local jit = off; ${inlineParameters(sql, params)}`);
  const last = (Array.isArray(results) ? results[results.length - 1] : results) as { rows: T[] };
  return last.rows;
}

/** A parameter as a literal: strings through pg's quoting, dates as ISO strings (typed by their column). */
function literal(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (value instanceof Date) return escapeLiteral(value.toISOString());
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`cannot inline ${value}`);
    return String(value);
  }
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'string') return escapeLiteral(value);
  throw new Error(`cannot inline a ${typeof value}`);
}

/** Replaces each `?` of `sql` (the statements here use `?` for nothing else) by its parameter as a literal. */
export function inlineParameters(sql: string, params: unknown[]): string {
  const parts = sql.split('?');
  if (parts.length - 1 !== params.length) throw new Error(`${parts.length - 1} placeholders for ${params.length} parameters`);
  return parts.reduce((out, part, i) => (i === 0 ? part : `${out}${literal(params[i - 1])}${part}`), '');
}

/** A PostgreSQL array literal: knex would expand a JS array into a list of bindings. */
const timestamps = (values: Date[]) => `{${values.map((value) => value.toISOString()).join(',')}}`;

interface Filters {
  sql: string;
  params: unknown[];
}

/** `and department = ? and assignee_id = ?` for the scope, over `alias`'s key columns ('' is "none"). */
export function keyFilters(scope: Pick<StatsScope, 'department' | 'agentId'>, alias: string): Filters {
  const parts: string[] = [];
  const params: unknown[] = [];
  if (scope.department) {
    parts.push(`and ${alias}.department = ?`);
    params.push(scope.department);
  }
  if (scope.agentId) {
    parts.push(`and ${alias}.assignee_id = ?`);
    params.push(scope.agentId);
  }
  return { sql: parts.join(' '), params };
}

type Range = { from: Date; to: Date };

/**
 * One branch per range, each with its bounds as parameters: the planner then sizes every range
 * from the column's statistics (a range joined from an array is sized blind, as thousands of rows).
 * `none` is the query's empty form.
 */
function perRange(ranges: Range[], branch: string, paramsOf: (range: Range) => unknown[], none: string): { sql: string; params: unknown[] } {
  if (!ranges.length) return { sql: none, params: [] };
  return { sql: ranges.map(() => `(${branch})`).join(' union all '), params: ranges.flatMap(paramsOf) };
}

/**
 * Tickets' contributions inside the ranges: the creation row of tickets created there, the
 * resolution row of tickets resolved there (both through ticket_stats_measures, as the triggers).
 */
function edgeMeasures(ranges: Range[]): { sql: string; params: unknown[] } {
  return perRange(
    ranges,
    `select m.* from tickets t cross join lateral ticket_stats_measures(t, 1) m
      where t.created_at >= ? and t.created_at < ? and m.created <> 0
     union all
     select m.* from tickets t cross join lateral ticket_stats_measures(t, 1) m
      where t.resolved_at >= ? and t.resolved_at < ? and m.resolved <> 0`,
    (range) => [range.from, range.to, range.from, range.to],
    'select m.* from tickets t cross join lateral ticket_stats_measures(t, 1) m where false',
  );
}

export interface DayDepartmentRow extends Measures {
  day: string;
  department: string;
}

/**
 * Measures of the scope per (local day, department): see `splitForDays` for which hours come from
 * the rollups and which from the tickets table.
 */
export async function measuresByDayAndDepartment(em: EntityManager, scope: StatsScope): Promise<DayDepartmentRow[]> {
  const { hours, edges, cut } = splitForDays(scope);
  const span = hours ?? { from: scope.from, to: scope.from };
  const rollup = scope.agentId ? 'ticket_agent_stats_hourly' : 'ticket_stats_hourly';
  const rolledFilters = keyFilters(scope, 'r');
  const deltaFilters = keyFilters(scope, 'd');
  const edgeFilters = keyFilters(scope, 'm');
  const edge = edgeMeasures(edges);
  const sql = `
    select to_char((x.at at time zone ?)::date, 'YYYY-MM-DD') as day, x.department, ${sums}
    from (
      select r.hour as at, r.department, ${columns('r')} from ${rollup} r
       where r.hour >= ? and r.hour < ? and not (r.hour = any(?::timestamptz[])) ${rolledFilters.sql}
      union all
      select d.hour, d.department, ${columns('d')} from ticket_stats_deltas d
       where d.hour >= ? and d.hour < ? and not (d.hour = any(?::timestamptz[])) ${deltaFilters.sql}
      union all
      select m.at, m.department, ${columns('m')} from (${edge.sql}) m where true ${edgeFilters.sql}
    ) x
    group by 1, 2`;
  return read<DayDepartmentRow>(em, sql, [
    scope.timeZone,
    span.from,
    span.to,
    timestamps(cut),
    ...rolledFilters.params,
    span.from,
    span.to,
    timestamps(cut),
    ...deltaFilters.params,
    ...edge.params,
    ...edgeFilters.params,
  ]);
}

/** Measures of [from, to) summed over the scope's department and agent, without per-day grouping. */
export async function measuresBetween(em: EntityManager, scope: Pick<StatsScope, 'department' | 'agentId'>, from: Date, to: Date): Promise<Measures> {
  const { hours, edges } = splitAtHours(from, to);
  const span = hours ?? { from, to: from };
  const rollup = scope.agentId ? 'ticket_agent_stats_hourly' : 'ticket_stats_hourly';
  const rolledFilters = keyFilters(scope, 'r');
  const deltaFilters = keyFilters(scope, 'd');
  const edgeFilters = keyFilters(scope, 'm');
  const edge = edgeMeasures(edges);
  const [row] = await read<Measures>(
    em,
    `select ${sums} from (
       select ${columns('r')} from ${rollup} r where r.hour >= ? and r.hour < ? ${rolledFilters.sql}
       union all
       select ${columns('d')} from ticket_stats_deltas d where d.hour >= ? and d.hour < ? ${deltaFilters.sql}
       union all
       select ${columns('m')} from (${edge.sql}) m where true ${edgeFilters.sql}
     ) x`,
    [
      span.from,
      span.to,
      ...rolledFilters.params,
      span.from,
      span.to,
      ...deltaFilters.params,
      ...edge.params,
      ...edgeFilters.params,
    ],
  );
  return addMeasures(emptyMeasures(), row ?? {});
}

export interface AgentRow extends Measures {
  assignee_id: string;
}

/** Measures of the scope per assignee (unassigned tickets left out). */
export async function measuresByAgent(em: EntityManager, scope: StatsScope): Promise<AgentRow[]> {
  const { hours, edges } = splitAtHours(scope.from, scope.to);
  const span = hours ?? { from: scope.from, to: scope.from };
  const rolledFilters = keyFilters(scope, 'r');
  const deltaFilters = keyFilters(scope, 'd');
  const edgeFilters = keyFilters(scope, 'm');
  const edge = edgeMeasures(edges);
  return read<AgentRow>(
    em,
    `select x.assignee_id, ${sums} from (
       select r.assignee_id, ${columns('r')} from ticket_agent_stats_hourly r
        where r.hour >= ? and r.hour < ? and r.assignee_id <> '' ${rolledFilters.sql}
       union all
       select d.assignee_id, ${columns('d')} from ticket_stats_deltas d
        where d.hour >= ? and d.hour < ? and d.assignee_id <> '' ${deltaFilters.sql}
       union all
       select m.assignee_id, ${columns('m')} from (${edge.sql}) m where m.assignee_id <> '' ${edgeFilters.sql}
     ) x
     group by 1`,
    [
      span.from,
      span.to,
      ...rolledFilters.params,
      span.from,
      span.to,
      ...deltaFilters.params,
      ...edge.params,
      ...edgeFilters.params,
    ],
  );
}

/** Tickets created in the scope per category ('' for none). */
export async function ticketsByCategory(em: EntityManager, scope: StatsScope): Promise<{ category: string; count: number }[]> {
  if (scope.agentId) {
    // No rollup is kept per agent and category; one agent's tickets are few enough to count directly.
    const department = scope.department ? 'and t.department = ?' : '';
    return read(
      em,
      `select coalesce(t.category, '') as category, count(*)::int as count from tickets t
        where t.assignee_id = ? and t.created_at >= ? and t.created_at < ? ${department}
        group by 1`,
      [scope.agentId, scope.from, scope.to, ...(scope.department ? [scope.department] : [])],
    );
  }
  const { hours, edges } = splitAtHours(scope.from, scope.to);
  const span = hours ?? { from: scope.from, to: scope.from };
  const department = (column: string) => (scope.department ? `and ${column} = ?` : '');
  const departmentParam = scope.department ? [scope.department] : [];
  const edge = perRange(
    edges,
    `select coalesce(t.category, '') as category, 1 as created from tickets t where t.created_at >= ? and t.created_at < ? ${department('t.department')}`,
    (range) => [range.from, range.to, ...departmentParam],
    `select '' as category, 0 as created where false`,
  );
  return read(
    em,
    `select x.category, sum(x.created)::int as count from (
       select r.category, r.created from ticket_category_stats_hourly r where r.hour >= ? and r.hour < ? ${department('r.department')}
       union all
       select d.category, d.created from ticket_stats_deltas d where d.hour >= ? and d.hour < ? ${department('d.department')}
       union all
       ${edge.sql}
     ) x
     group by 1
     having sum(x.created) <> 0`,
    [span.from, span.to, ...departmentParam, span.from, span.to, ...departmentParam, ...edge.params],
  );
}

/**
 * Tickets of the scope whose running clock is past a due date and that the breach job has not
 * marked yet (the rollups count a miss once it can no longer change; this adds the ones the clock
 * alone decides). Read through the breach job's partial indexes, so it stays small.
 */
export async function overdueUnmarked(em: EntityManager, scope: StatsScope, now: Date): Promise<number> {
  const filters = [scope.department ? 'and t.department = ?' : '', scope.agentId ? 'and t.assignee_id = ?' : ''].join(' ');
  const filterParams = [...(scope.department ? [scope.department] : []), ...(scope.agentId ? [scope.agentId] : [])];
  // Each branch reads one partial index and filters what it found; no join to the whole table.
  const branch = (clock: string) => `select t.id from tickets t
     where ${clock} and t.status in ('OPEN', 'IN_PROGRESS', 'WAITING_ON_CUSTOMER')
       and t.created_at >= ? and t.created_at < ? ${filters}
       and not coalesce(${slaMissedSql('t', 'null::timestamptz')}, false)`;
  const [row] = await read<{ count: number }>(
    em,
    `select count(*)::int as count from (
       ${branch('t.sla_breached_at is null and t.first_response_at is null and t.first_response_due_at < ?')}
       union
       ${branch('t.sla_breached_at is null and t.sla_paused_at is null and t.resolution_due_at < ?')}
     ) overdue`,
    [now, scope.from, scope.to, ...filterParams, now, scope.from, scope.to, ...filterParams],
  );
  return row?.count ?? 0;
}

/** Active agents of the scope, and how many of them are not OFFLINE. */
export async function agentCounts(em: EntityManager, scope: Pick<StatsScope, 'department' | 'agentId'>): Promise<{ online: number; total: number }> {
  const filters = [scope.department ? 'and a.department = ?' : '', scope.agentId ? 'and a.id = ?' : ''].join(' ');
  const [row] = await em.getConnection().execute<{ online: number; total: number }[]>(
    `select count(*) filter (where a.status <> 'OFFLINE')::int as online, count(*)::int as total from agents a where a.active ${filters}`,
    [...(scope.department ? [scope.department] : []), ...(scope.agentId ? [scope.agentId] : [])],
  );
  return row ?? { online: 0, total: 0 };
}

// ---------------------------------------------------------------- live chart

export interface ChartRow {
  /** Start of the hour, in ms since the epoch. */
  hour: number;
  customers: number;
  support: number;
  resolved: number;
}

/**
 * The live chart in one statement, per hour (hours without any figure left out):
 * - customers and support: over [from, participantsTo) (whole hours), distinct customers who
 *   opened a ticket or wrote and distinct agents who replied, from the participants the triggers
 *   record (one row per person and hour);
 * - resolved: tickets resolved over [from, resolvedTo), whole hours from the rollups, the rest
 *   from the tickets table.
 */
export async function chartPerHour(em: EntityManager, from: Date, participantsTo: Date, resolvedTo: Date): Promise<ChartRow[]> {
  const { hours, edges } = splitAtHours(from, resolvedTo);
  const span = hours ?? { from, to: from };
  const edge = perRange(
    edges,
    `select date_trunc('hour', t.resolved_at, 'UTC') as hour, 1 as resolved from tickets t where t.resolved_at >= ? and t.resolved_at < ?`,
    (range) => [range.from, range.to],
    `select now() as hour, 0 as resolved where false`,
  );
  return read<ChartRow>(
    em,
    `select ${epochMs('c.hour')} as hour, sum(c.customers)::int as customers, sum(c.support)::int as support, sum(c.resolved)::int as resolved
       from (
         select hour, count(*) filter (where kind = 'CUSTOMER') as customers, count(*) filter (where kind = 'AGENT') as support, 0 as resolved
           from live_chart_participants where hour >= ? and hour < ?
          group by hour
         union all
         select hour, 0, 0, resolved from ticket_stats_hourly where hour >= ? and hour < ? and resolved <> 0
         union all
         select hour, 0, 0, resolved from ticket_stats_deltas where hour >= ? and hour < ? and resolved <> 0
         union all
         select hour, 0, 0, resolved from (${edge.sql}) e
       ) c
      group by c.hour`,
    [from, participantsTo, span.from, span.to, span.from, span.to, ...edge.params],
  );
}

/**
 * Drops participants older than any chart asks for, a batch at a time (after a bulk load of
 * history there can be millions), at most `maxBatches` per call.
 */
export async function pruneParticipants(em: EntityManager, before: Date, batch = 50_000, maxBatches = 20): Promise<number> {
  let pruned = 0;
  for (let i = 0; i < maxBatches; i++) {
    const [{ count }] = await em.getConnection().execute<{ count: number }[]>(
      `with gone as (
         delete from live_chart_participants where ctid in (select ctid from live_chart_participants where hour < ? limit ?) returning 1
       ) select count(*)::int as count from gone`,
      [before, batch],
    );
    pruned += count;
    if (count < batch) break;
  }
  return pruned;
}

/** Folds the triggers' deltas into the rollups, a batch at a time, until none is left (or `maxBatches`). */
export async function foldTicketStats(em: EntityManager, batch = 50_000, maxBatches = 20): Promise<number> {
  let moved = 0;
  for (let i = 0; i < maxBatches; i++) {
    const [row] = await em.getConnection().execute<{ moved: number }[]>('select fold_ticket_stats(?) as moved', [batch]);
    moved += row.moved;
    if (row.moved < batch) break;
  }
  return moved;
}
