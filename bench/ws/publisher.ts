import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { Pool } from 'pg';
import { nowMicros, RING, type SharedTimings } from './protocol';

export interface PublisherTicket {
  ticketId: string;
  customerId: string;
  customerName: string;
}

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
function messageId(): string {
  let out = 'msg_';
  for (const byte of randomBytes(26)) out += ALPHABET[byte & 31];
  return out;
}

/**
 * Writes customer messages to the fan-out tickets and publishes MESSAGE_ADDED for each, the way
 * sendMessage does after its commit (same channel, same payload), at a given rate: one statement per
 * batch (the counters of every ticket of the batch and the inserts), then one Redis pipeline.
 * Both systems under test get exactly this. Each payload also carries the message as the GraphQL
 * result data, pre-serialized, which the relay floor forwards as is and Parley ignores (Parley
 * takes the message's row, as sendMessage's event carries it, which the floor ignores).
 */
export class Publisher {
  private readonly pool: Pool;
  private readonly redis: Redis;
  private cursor = 0;
  /** Published per ticket index in the current step. */
  publishedByTicket = new Map<number, number>();

  constructor(
    databaseUrl: string,
    redisUrl: string,
    private readonly tickets: PublisherTicket[],
    private readonly timings: SharedTimings,
  ) {
    this.pool = new Pool({ connectionString: databaseUrl, max: 4 });
    this.redis = new Redis(redisUrl);
  }

  /** Publishes `count` messages (round-robin over the tickets), returns how many it wrote. */
  async batch(count: number, step: number): Promise<number> {
    const indexes: number[] = [];
    for (let i = 0; i < Math.min(count, this.tickets.length); i++) {
      indexes.push(this.cursor);
      this.cursor = (this.cursor + 1) % this.tickets.length;
    }
    const ids = indexes.map(() => messageId());
    const body = `Benchmark message of step ${step}.`;
    const { rows } = await this.pool.query<{ id: string; ticket_id: string; seq: number; created_at: Date; author: Record<string, unknown> }>(
      `with k as (select * from unnest($1::text[], $2::text[]) as k(ticket_id, message_id)),
            t as (update tickets set last_seq = last_seq + 1, message_count = message_count + 1, public_message_count = public_message_count + 1,
                                     last_message_at = now(), last_public_message_at = now(), updated_at = now()
                    from k where tickets.id = k.ticket_id
                  returning tickets.id, tickets.last_seq, tickets.customer_id, k.message_id),
            m as (insert into messages (id, ticket_id, seq, author_id, author_kind, kind, body, internal, created_at)
                  select t.message_id, t.id, t.last_seq, t.customer_id, 'CUSTOMER', 'TEXT', $3, false, now() from t
                  returning id, ticket_id, seq, author_id, created_at)
       select m.id, m.ticket_id, m.seq, m.created_at, to_jsonb(u) - 'password_hash' as author from m join users u on u.id = m.author_id`,
      [indexes.map((i) => this.tickets[i].ticketId), ids, body],
    );
    const indexById = new Map(indexes.map((i) => [this.tickets[i].ticketId, i]));
    const pipeline = this.redis.pipeline();
    for (const row of rows) {
      const index = indexById.get(row.ticket_id)!;
      const ticket = this.tickets[index];
      const frame = JSON.stringify({ id: row.id, seq: row.seq, body, createdAt: row.created_at.toISOString(), author: { name: ticket.customerName } });
      // The message as sendMessage's event carries it (src/modules/messages/message.rows.ts): its row and its author's columns.
      const messageRow: Record<string, unknown> = {
        id: row.id, ticket_id: row.ticket_id, seq: row.seq, author_id: ticket.customerId, author_kind: 'CUSTOMER', kind: 'TEXT', body, internal: false,
        client_message_id: null, delivery_state: null, created_ms: row.created_at.getTime(), edited_ms: null, deleted_ms: null,
      };
      for (const [column, value] of Object.entries(row.author)) messageRow[`author__${column}`] = value;
      const payload = JSON.stringify({ type: 'MESSAGE_ADDED', ticketId: row.ticket_id, messageId: row.id, seq: row.seq, internal: false, authorId: ticket.customerId, row: JSON.stringify(messageRow), frame });
      const slot = index * RING + (row.seq % RING);
      this.timings.seqs[slot] = row.seq;
      this.timings.steps[slot] = step;
      this.timings.times[slot] = nowMicros();
      pipeline.publish(`parley:ticket:${row.ticket_id}`, payload);
      this.publishedByTicket.set(index, (this.publishedByTicket.get(index) ?? 0) + 1);
    }
    await pipeline.exec();
    return rows.length;
  }

  /**
   * Publishes at `perSecond` messages/s for `seconds`, in batches every `tickMs`, at most
   * `inFlight` batches at once. Returns what it achieved: if the database falls behind, the rate
   * published is lower than asked, and the result says so.
   */
  async run(perSecond: number, seconds: number, step: number, tickMs = 10, inFlight = 4): Promise<{ published: number; seconds: number; perSecond: number }> {
    this.publishedByTicket = new Map();
    const started = performance.now();
    const end = started + seconds * 1000;
    let due = 0;
    let published = 0;
    const running = new Set<Promise<void>>();
    while (performance.now() < end) {
      const elapsed = performance.now() - started;
      due = Math.floor((elapsed / 1000) * perSecond);
      const count = due - published;
      if (count > 0 && running.size < inFlight) {
        // Batches in flight together never share a ticket, so each ticket's messages are published in seq order.
        const size = Math.min(count, Math.floor(this.tickets.length / inFlight));
        published += size;
        const job = this.batch(size, step).then(
          (written) => {
            if (written !== size) published -= size - written;
          },
          (error: unknown) => {
            published -= size;
            console.error('publisher batch failed:', error);
          },
        );
        running.add(job);
        void job.finally(() => running.delete(job));
        continue;
      }
      await new Promise((resolve) => setTimeout(resolve, tickMs));
    }
    await Promise.all(running);
    const took = (performance.now() - started) / 1000;
    return { published, seconds: took, perSecond: published / took };
  }

  async close(): Promise<void> {
    await Promise.all([this.pool.end(), this.redis.quit()]);
  }
}
