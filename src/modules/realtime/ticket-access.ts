import DataLoader from 'dataloader';
import type { Orm } from '../../infra/orm';

/** What a subscription needs of a ticket to authorize its viewer and start its cursor. */
export interface TicketAccessRow {
  id: string;
  customer: { id: string };
  /** The newest seq when the ticket was read. */
  lastSeq: number;
}

/**
 * Tickets' access facts as of now, batched: the reads asked for in one turn of the event loop go
 * to PostgreSQL as one statement. A reconnect storm is thousands of subscriptions starting at
 * once, each reading its ticket; one statement per turn instead of one managed entity each.
 * Nothing is cached: every call reads after it was made (the channel is live by then).
 */
export class TicketAccessReads {
  private readonly loader: DataLoader<string, TicketAccessRow | null>;

  constructor(orm: Orm) {
    this.loader = new DataLoader<string, TicketAccessRow | null>(
      async (ids) => {
        const rows = await orm.em
          .getConnection()
          .execute<{ id: string; customer_id: string; last_seq: number }[]>(`select id, customer_id, last_seq from tickets where id = any(?::text[])`, [`{${ids.join(',')}}`]);
        const byId = new Map(rows.map((row) => [row.id, { id: row.id, customer: { id: row.customer_id }, lastSeq: Number(row.last_seq) }]));
        return ids.map((id) => byId.get(id) ?? null);
      },
      { cache: false, maxBatchSize: 1000, batchScheduleFn: (callback) => setImmediate(callback) },
    );
  }

  /** The ticket's access facts, or null when there is no such ticket. `id` must be a valid ticket id. */
  load(id: string): Promise<TicketAccessRow | null> {
    return this.loader.load(id);
  }
}
