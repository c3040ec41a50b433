import DataLoader from 'dataloader';
import { byKeys, type LoaderFactory } from '../../shared/loaders/registry';

/**
 * `Ticket.queuePosition` for a batch of tickets in one statement. A waiting ticket's place is 1 +
 * the waiting tickets ahead of it in queue order (most urgent first, then longest waiting, then id)
 * that compete for the same agents: for a ticket with a department, those of its department and
 * those without one; for a ticket without a department (anyone may take it), all of them.
 * Authorization stays with the caller (the ticket was readable).
 */
export const queuePositionByTicketId: LoaderFactory<string, number | null> = (ctx) =>
  new DataLoader(async (ticketIds) => {
    const rows = await ctx.em.getConnection().execute<{ id: string; position: number }[]>(
      `select t.id,
              1 + (select count(*)::int from tickets w
                    where w.status = 'OPEN' and w.assignee_id is null and w.queued_at is not null
                      and (w.priority_rank > t.priority_rank
                           or (w.priority_rank = t.priority_rank and (w.queued_at, w.id) < (t.queued_at, t.id)))
                      and (t.department is null or w.department is null or w.department = t.department)) as position
         from tickets t
        where t.id in (?) and t.status = 'OPEN' and t.assignee_id is null and t.queued_at is not null`,
      [[...ticketIds]],
    );
    return byKeys(ticketIds, rows, (row) => row.id, (row) => row.position, null);
  });
