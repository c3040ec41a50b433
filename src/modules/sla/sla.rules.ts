import { TicketStatus } from '../tickets/ticket.enums';
import { SlaStatus, SlaTarget } from './sla.enums';
import type { SlaTargets } from './sla.policy';

/**
 * The SLA clocks of one ticket, as stored on it:
 * - `firstResponseDueAt`: creation + the first-response target. It never pauses.
 * - `resolutionDueAt`: creation + the resolution target + every completed pause. The clock is
 *   paused (`slaPausedAt` set) while the ticket waits on the customer and once it is resolved or
 *   closed; resuming pushes the due date back by the length of the pause.
 * - `slaBreachedAt`: set once, by the breach job, when a target was missed.
 * Status is computed from these and the clock, never stored.
 */
export interface SlaClockFields {
  createdAt: Date;
  status: TicketStatus;
  firstResponseAt?: Date | null;
  resolvedAt?: Date | null;
  firstResponseDueAt?: Date | null;
  resolutionDueAt?: Date | null;
  slaPausedAt?: Date | null;
  slaBreachedAt?: Date | null;
}

const FINISHED = new Set<TicketStatus>([TicketStatus.RESOLVED, TicketStatus.CLOSED]);
const RESOLUTION_PAUSED = new Set<TicketStatus>([TicketStatus.WAITING_ON_CUSTOMER, TicketStatus.RESOLVED, TicketStatus.CLOSED]);

export const isFinished = (status: TicketStatus) => FINISHED.has(status);
/** The resolution clock stands still while the customer has the ball and once the ticket is done. */
export const isResolutionPaused = (status: TicketStatus) => RESOLUTION_PAUSED.has(status);

const plus = (at: Date, ms: number) => new Date(at.getTime() + ms);

/** Sets both due dates of a new ticket from its creation time. */
export function planSla(ticket: SlaClockFields, targets: SlaTargets | null): void {
  ticket.firstResponseDueAt = targets?.firstResponseMs != null ? plus(ticket.createdAt, targets.firstResponseMs) : null;
  ticket.resolutionDueAt = targets?.resolutionMs != null ? plus(ticket.createdAt, targets.resolutionMs) : null;
  ticket.slaPausedAt = ticket.resolutionDueAt && isResolutionPaused(ticket.status) ? ticket.createdAt : null;
}

/** Pauses the resolution clock on entering a paused status; resumes it, later by the pause, on leaving. */
export function moveSlaClock(ticket: SlaClockFields, from: TicketStatus, to: TicketStatus, at: Date): void {
  if (!ticket.resolutionDueAt) return;
  const wasPaused = isResolutionPaused(from);
  const nowPaused = isResolutionPaused(to);
  if (!wasPaused && nowPaused) {
    ticket.slaPausedAt = at;
  } else if (wasPaused && !nowPaused) {
    if (ticket.slaPausedAt) ticket.resolutionDueAt = plus(ticket.resolutionDueAt, Math.max(0, at.getTime() - ticket.slaPausedAt.getTime()));
    ticket.slaPausedAt = null;
  }
}

/**
 * After a priority change: the new targets, still counted from creation (as if the ticket had
 * always had its new priority), keeping the pauses so far. A target already met, and a finished
 * ticket, are left alone.
 */
export function replanSla(ticket: SlaClockFields, before: SlaTargets | null, after: SlaTargets | null, at: Date): void {
  if (isFinished(ticket.status)) return;
  if (!ticket.firstResponseAt) {
    ticket.firstResponseDueAt = after?.firstResponseMs != null ? plus(ticket.createdAt, after.firstResponseMs) : null;
  }
  const pausedSoFar =
    ticket.resolutionDueAt && before?.resolutionMs != null
      ? Math.max(0, ticket.resolutionDueAt.getTime() - ticket.createdAt.getTime() - before.resolutionMs)
      : 0;
  const hadClock = !!ticket.resolutionDueAt;
  ticket.resolutionDueAt = after?.resolutionMs != null ? plus(ticket.createdAt, after.resolutionMs + pausedSoFar) : null;
  if (!ticket.resolutionDueAt) ticket.slaPausedAt = null;
  // A clock that starts now, on a ticket already waiting on the customer, starts paused.
  else if (!hadClock && isResolutionPaused(ticket.status)) ticket.slaPausedAt = at;
}

/** Where the resolution clock stands: the moment it stopped, or now while it runs. */
function resolutionClockAt(ticket: SlaClockFields, now: Date): Date {
  return ticket.slaPausedAt ?? (isFinished(ticket.status) ? ticket.resolvedAt : null) ?? now;
}

/** Where the first-response clock stands: the reply, or the resolution of a ticket closed without one, or now. */
function firstResponseClockAt(ticket: SlaClockFields, now: Date): Date {
  return ticket.firstResponseAt ?? (isFinished(ticket.status) ? ticket.resolvedAt : null) ?? now;
}

export interface MissedTarget {
  target: SlaTarget;
  dueAt: Date;
}

/** The targets this ticket has missed by `now` (empty while it is on time). Mirrored by `slaMissedSql`. */
export function missedTargets(ticket: SlaClockFields, now: Date): MissedTarget[] {
  const missed: MissedTarget[] = [];
  if (ticket.firstResponseDueAt && firstResponseClockAt(ticket, now) > ticket.firstResponseDueAt) {
    missed.push({ target: SlaTarget.FIRST_RESPONSE, dueAt: ticket.firstResponseDueAt });
  }
  if (ticket.resolutionDueAt && resolutionClockAt(ticket, now) > ticket.resolutionDueAt) {
    missed.push({ target: SlaTarget.RESOLUTION, dueAt: ticket.resolutionDueAt });
  }
  return missed;
}

/**
 * The same test as `missedTargets`, in SQL over the `tickets` row aliased `t`; `now` is an SQL
 * expression and appears twice (a placeholder is bound twice). The dashboard's slaMetPercent and the breach job's candidate
 * query use it, so the API's slaStatus, the job and the statistics never disagree.
 */
export function slaMissedSql(t: string, now: string): string {
  const finished = `${t}.status in ('RESOLVED', 'CLOSED')`;
  return `(${t}.sla_breached_at is not null
    or (${t}.first_response_due_at is not null and coalesce(${t}.first_response_at, case when ${finished} then ${t}.resolved_at end, ${now}) > ${t}.first_response_due_at)
    or (${t}.resolution_due_at is not null and coalesce(${t}.sla_paused_at, case when ${finished} then ${t}.resolved_at end, ${now}) > ${t}.resolution_due_at))`;
}

/** True when an SLA applies to the ticket at all. */
export function slaAppliesSql(t: string): string {
  return `(${t}.first_response_due_at is not null or ${t}.resolution_due_at is not null)`;
}

/**
 * The resolution due date as the API shows it: while the clock is paused on an open ticket, the
 * date moves with the pause (it is when resolution would be due if work resumed now).
 */
export function effectiveResolutionDueAt(ticket: SlaClockFields, now: Date): Date | null {
  if (!ticket.resolutionDueAt) return null;
  if (!ticket.slaPausedAt || isFinished(ticket.status)) return ticket.resolutionDueAt;
  return plus(ticket.resolutionDueAt, Math.max(0, now.getTime() - ticket.slaPausedAt.getTime()));
}

/** A fifth of the target time left, or less, is AT_RISK. */
const AT_RISK_SHARE = 0.2;

/**
 * NONE without due dates; BREACHED once a target is missed (or was marked so); MET once the
 * ticket is resolved within every target; otherwise AT_RISK when a running target has less than a
 * fifth of its time left, else ON_TRACK. `targets` gives the resolution target's length (the due
 * date alone includes pauses); without it the span from creation is used.
 */
export function slaStatus(ticket: SlaClockFields, targets: SlaTargets | null, now: Date): SlaStatus {
  if (!ticket.firstResponseDueAt && !ticket.resolutionDueAt) return SlaStatus.NONE;
  if (ticket.slaBreachedAt || missedTargets(ticket, now).length > 0) return SlaStatus.BREACHED;
  if (isFinished(ticket.status)) return SlaStatus.MET;
  const created = ticket.createdAt.getTime();
  if (ticket.firstResponseDueAt && !ticket.firstResponseAt) {
    const total = ticket.firstResponseDueAt.getTime() - created;
    const left = ticket.firstResponseDueAt.getTime() - now.getTime();
    if (left < total * AT_RISK_SHARE) return SlaStatus.AT_RISK;
  }
  if (ticket.resolutionDueAt) {
    const total = targets?.resolutionMs ?? ticket.resolutionDueAt.getTime() - created;
    const left = ticket.resolutionDueAt.getTime() - resolutionClockAt(ticket, now).getTime();
    if (left < total * AT_RISK_SHARE) return SlaStatus.AT_RISK;
  }
  return SlaStatus.ON_TRACK;
}
