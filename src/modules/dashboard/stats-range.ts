import { AppError, badInput } from '../../shared/errors';
import { isIdOf } from '../../shared/ids';

export const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** Days shown when the filter gives no start. */
export const DEFAULT_RANGE_DAYS = 30;
/** The longest range one query may cover. */
export const MAX_RANGE_DAYS = 366;

// ---------------------------------------------------------------- time zones

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Zones that are UTC all year: their wall clock is read without Intl (formatToParts costs microseconds a call, and a 30-day range makes hundreds). */
const UTC_ZONES = new Set(['UTC', 'Etc/UTC', 'Etc/GMT', 'GMT', 'Etc/Universal', 'Universal', 'Etc/Zulu', 'Zulu']);

function partsIn(instant: Date, timeZone: string): Record<'year' | 'month' | 'day' | 'hour' | 'minute' | 'second', number> {
  if (UTC_ZONES.has(timeZone)) {
    return {
      year: instant.getUTCFullYear(),
      month: instant.getUTCMonth() + 1,
      day: instant.getUTCDate(),
      hour: instant.getUTCHours(),
      minute: instant.getUTCMinutes(),
      second: instant.getUTCSeconds(),
    };
  }
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(instant).map((part) => [part.type, part.value]));
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    second: Number(parts.second),
  };
}

/** How far `timeZone`'s wall clock is ahead of UTC at `instant`, in ms. */
function offsetAt(instant: Date, timeZone: string): number {
  const p = partsIn(instant, timeZone);
  const wall = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return wall - (instant.getTime() - (instant.getTime() % 1000 + 1000) % 1000);
}

/** The calendar day of `instant` in `timeZone`, as YYYY-MM-DD. */
export function localDate(instant: Date, timeZone: string): string {
  const p = partsIn(instant, timeZone);
  return `${String(p.year).padStart(4, '0')}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`;
}

/** The instant `date` (YYYY-MM-DD) begins in `timeZone`: its midnight, or the first moment after a skipped one. */
export function startOfLocalDate(date: string, timeZone: string): Date {
  const [year, month, day] = date.split('-').map(Number);
  const wallMidnight = Date.UTC(year, month - 1, day);
  // Two rounds settle the offset across a DST change on that day.
  let guess = wallMidnight - offsetAt(new Date(wallMidnight), timeZone);
  guess = wallMidnight - offsetAt(new Date(guess), timeZone);
  // Where midnight does not exist (the clocks jump over it), the day starts when they land.
  while (localDate(new Date(guess), timeZone) < date) guess += 15 * 60_000;
  while (localDate(new Date(guess - 1), timeZone) === date) guess -= 15 * 60_000;
  return new Date(guess);
}

/** YYYY-MM-DD plus `days` (calendar arithmetic, no time zone involved). */
export function addDays(date: string, days: number): string {
  const [year, month, day] = date.split('-').map(Number);
  return new Date(Date.UTC(year, month - 1, day + days)).toISOString().slice(0, 10);
}

export const floorHour = (at: Date) => new Date(Math.floor(at.getTime() / HOUR_MS) * HOUR_MS);
export const ceilHour = (at: Date) => new Date(Math.ceil(at.getTime() / HOUR_MS) * HOUR_MS);

// ---------------------------------------------------------------- ranges

/** A filter made concrete: what the statistics queries take. */
export interface StatsScope {
  /** The instant the scope was made at: its defaults, "today", and running SLA clocks are read at it. */
  now: Date;
  /** Tickets created in [from, to). */
  from: Date;
  to: Date;
  department: string | null;
  agentId: string | null;
  timeZone: string;
  /** Every calendar day the range touches, in order. */
  days: string[];
}

export interface StatsFilterInput {
  from?: Date | null;
  to?: Date | null;
  department?: string | null;
  agentId?: string | null;
}

/** Validates a StatsFilter and fills in its defaults. Throws BAD_USER_INPUT / NOT_FOUND with the field named. */
export function resolveScope(filter: StatsFilterInput | null | undefined, now: Date, timeZone: string): StatsScope {
  const to = filter?.to ?? now;
  const from = filter?.from ?? startOfLocalDate(addDays(localDate(to, timeZone), -(DEFAULT_RANGE_DAYS - 1)), timeZone);
  if (from >= to) throw badInput(filter?.from ? 'from' : 'to', '`from` must be before `to`.');
  if (to.getTime() - from.getTime() > MAX_RANGE_DAYS * DAY_MS) throw badInput('from', `A range covers at most ${MAX_RANGE_DAYS} days.`);
  const agentId = filter?.agentId ?? null;
  if (agentId !== null && !isIdOf(agentId, 'Agent')) throw new AppError('NOT_FOUND', 'Agent not found.', { field: 'agentId' });
  const department = filter?.department?.trim() || null;
  const days: string[] = [];
  const last = localDate(new Date(to.getTime() - 1), timeZone);
  for (let day = localDate(from, timeZone); day <= last; day = addDays(day, 1)) days.push(day);
  return { now, from, to, department, agentId, timeZone, days };
}

/**
 * [from, to) cut at whole UTC hours: the hours the rollups answer for, and the pieces before the
 * first and after the last whole hour, which only the tickets table can split.
 */
export function splitAtHours(from: Date, to: Date): { hours: { from: Date; to: Date } | null; edges: { from: Date; to: Date }[] } {
  const first = ceilHour(from);
  const last = floorHour(to);
  if (first >= last) return { hours: null, edges: [{ from, to }] };
  const edges = [];
  if (from < first) edges.push({ from, to: first });
  if (last < to) edges.push({ from: last, to });
  return { hours: { from: first, to: last }, edges };
}

/**
 * The scope cut for per-day figures: whole UTC hours that lie inside one local day (the rollups'),
 * and the rest (the range's ragged ends, and the hours a local midnight falls inside — zones with a
 * fractional offset) for the tickets table. `cut` lists those split hours, to leave out of the first.
 */
export function splitForDays(scope: Pick<StatsScope, 'from' | 'to' | 'days' | 'timeZone'>): {
  hours: { from: Date; to: Date } | null;
  edges: { from: Date; to: Date }[];
  cut: Date[];
} {
  const { hours, edges } = splitAtHours(scope.from, scope.to);
  const cut: Date[] = [];
  if (hours) {
    for (const day of scope.days.slice(1)) {
      const midnight = startOfLocalDate(day, scope.timeZone);
      if (midnight.getTime() % HOUR_MS === 0) continue;
      const hour = floorHour(midnight);
      if (hour >= hours.from && hour < hours.to) cut.push(hour);
    }
  }
  return { hours, edges: [...edges, ...cut.map((hour) => ({ from: hour, to: new Date(hour.getTime() + HOUR_MS) }))], cut };
}

/** A stable key for a scope (its subscribers share one computation): the filter, not the instant it was made. */
export function filterKey(filter: StatsFilterInput | null | undefined): string {
  return JSON.stringify([
    filter?.from?.toISOString() ?? null,
    filter?.to?.toISOString() ?? null,
    filter?.department?.trim() || null,
    filter?.agentId ?? null,
  ]);
}
