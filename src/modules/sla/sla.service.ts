import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { createRequestContext, type AppServices } from '../../server/context';
import { NotificationKind } from '../notifications/notification.enums';
import { notifyTicketStaff } from '../notifications/notification.service';
import { Ticket } from '../tickets/ticket.entity';
import { TicketEventKind } from '../tickets/ticket.enums';
import { recordEvent, ticketTransaction } from '../tickets/ticket.service';
import { SlaTarget } from './sla.enums';
import { missedTargets, slaMissedSql, type MissedTarget } from './sla.rules';

export interface BreachSweepOptions {
  /** Tickets marked per transaction. */
  batchSize?: number;
  /** Transactions per sweep; what is left waits for the next sweep. */
  maxBatches?: number;
  /**
   * Tickets that finished late (replied to or resolved after a due date) between two sweeps are
   * found among those changed this recently.
   */
  lookbackMs?: number;
}

const DEFAULTS: Required<BreachSweepOptions> = { batchSize: 200, maxBatches: 10, lookbackMs: 60 * 60_000 };

/**
 * Tickets that may have missed a target and are not marked yet. Running clocks past their due
 * date come from two small partial indexes (see the SLA migration); tickets that stopped a clock
 * late since the last sweeps come from the recently-updated ones. `slaMissedSql` is the same test
 * as `missedTargets`, which decides for each candidate under its row lock.
 */
async function breachCandidates(em: EntityManager, now: Date, since: Date, limit: number, skip: string[]): Promise<string[]> {
  const rows = await em.getConnection().execute<{ id: string }[]>(
    `select id from (
       select t.id from tickets t
        where t.sla_breached_at is null and t.first_response_at is null and t.first_response_due_at < ?
          and t.status in ('OPEN', 'IN_PROGRESS', 'WAITING_ON_CUSTOMER')
       union
       select t.id from tickets t
        where t.sla_breached_at is null and t.sla_paused_at is null and t.resolution_due_at < ?
       union
       select t.id from tickets t
        where t.updated_at >= ? and t.sla_breached_at is null and ${slaMissedSql('t', '?::timestamptz')}
     ) candidates
     where not (id = any(?::text[]))
     order by id
     limit ?`,
    // `now` four times (slaMissedSql uses it twice); the ids as one array literal, since knex would
    // expand a JS array into a list of bindings.
    [now, now, since, now, now, `{${skip.join(',')}}`, limit],
  );
  return rows.map((row) => row.id);
}

const TARGET_NAMES: Record<SlaTarget, string> = {
  [SlaTarget.FIRST_RESPONSE]: 'first response',
  [SlaTarget.RESOLUTION]: 'resolution',
};

function describe(missed: MissedTarget[]): string {
  return missed.map((miss) => `${TARGET_NAMES[miss.target]} was due ${miss.dueAt.toISOString()}`).join('; ');
}

/**
 * Marks every ticket that has missed an SLA target, once: `slaBreachedAt` (the first due date
 * missed), an SLA_BREACHED history line (published after the commit, like every ticket event),
 * and a notification to the assignee and the ticket's supervisors. Rows are taken FOR UPDATE SKIP
 * LOCKED and re-checked, so a ticket being changed right now waits for the next sweep, and two
 * sweeps racing (a leader change) still mark each ticket once. Returns the ids marked.
 */
export async function markSlaBreaches(app: AppServices, now: Date, options: BreachSweepOptions = {}): Promise<string[]> {
  const { batchSize, maxBatches, lookbackMs } = { ...DEFAULTS, ...options };
  const since = new Date(now.getTime() - lookbackMs);
  const marked: string[] = [];
  const seen: string[] = [];
  for (let batch = 0; batch < maxBatches; batch++) {
    const ctx = createRequestContext(app, null);
    const ids = await breachCandidates(ctx.em, now, since, batchSize, seen);
    if (!ids.length) break;
    seen.push(...ids);
    const done = await ticketTransaction(ctx, async (work) => {
      const tickets = await work.em.find(
        Ticket,
        { id: { $in: ids }, slaBreachedAt: null },
        { lockMode: LockMode.PESSIMISTIC_PARTIAL_WRITE, orderBy: { id: 'asc' } },
      );
      const breached: string[] = [];
      for (const ticket of tickets) {
        const missed = missedTargets(ticket, now);
        if (!missed.length) continue;
        ticket.slaBreachedAt = new Date(Math.min(...missed.map((miss) => miss.dueAt.getTime())));
        const what = describe(missed);
        recordEvent(work, ticket, TicketEventKind.SLA_BREACHED, null, {
          data: { targets: missed.map((miss) => ({ target: miss.target, dueAt: miss.dueAt.toISOString() })), priority: ticket.priority },
          note: `SLA missed: ${what}`,
        });
        await notifyTicketStaff(work, ticket, NotificationKind.SLA_BREACHED, {
          title: `${ticket.number} missed its SLA`,
          body: `${ticket.subject}: ${what} (${ticket.priority})`,
        });
        breached.push(ticket.id);
      }
      return breached;
    });
    marked.push(...done);
    if (ids.length < batchSize) break;
  }
  return marked;
}
