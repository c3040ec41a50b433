import DataLoader from 'dataloader';
import type { Orm } from '../../infra/orm';
import { readOnlyColumns, readOnlyFromRow } from '../../shared/read-only-entities';
import { User } from '../accounts/user.entity';
import type { Message } from '../messages/message.entity';
import { messageFromRow, messageRowColumns, type MessageRow, type References } from '../messages/message.rows';

/** One ticket's messages after a seq, as every subscriber of that ticket on this instance needs them. */
export interface FeedPage {
  /** Oldest first, at most the batch size. Shared by subscribers: read-only. */
  messages: Message[];
  /** The authors of `messages`, for each subscriber's user loader. Shared: read-only. */
  authors: User[];
  /** More messages follow the batch. */
  hasMore: boolean;
  /** The ticket's last seq in the snapshot the page was read in: the page is complete up to it. */
  horizon: number;
}

interface FeedKey {
  ticketId: string;
  includeInternal: boolean;
  afterSeq: number;
}

interface Shared {
  afterSeq: number;
  page: Promise<FeedPage>;
  at: number;
}

/** How long a page stays shareable: the subscribers of one event ask within a few milliseconds of each other. */
const SHARED_FOR_MS = 1000;

/** The author's columns in a feed row (see readOnlyColumns). */
const AUTHOR_PREFIX = 'author__';

/** A PostgreSQL array literal of ids, flags or numbers (knex would expand a JS array into bindings). */
const arrayLiteral = (values: (string | number | boolean)[]) => `{${values.map((value) => (typeof value === 'boolean' ? (value ? 't' : 'f') : value)).join(',')}}`;

/**
 * messageAdded's reads, shared on this instance. When a message is published, every subscriber of
 * its ticket here wants the same thing: the messages after the seq they have (usually the same
 * one), with the same visibility. The first to ask reads, the others get that read, and the reads
 * asked for in one turn of the event loop (a burst of events on many tickets) go to PostgreSQL as
 * one statement, plus one for their authors. A subscriber handling the message with seq N only
 * takes a page whose snapshot already held N; otherwise it reads again, so sharing never hides a
 * message. The messages are read-only values (see messageFromRow), the authors read-only values
 * too (see read-only-entities); field resolvers only read them (the
 * body's visibility is still decided per viewer).
 */
export class MessageFeed {
  private readonly recent = new Map<string, Shared>();
  private readonly loader: DataLoader<FeedKey, FeedPage, string>;
  private lastSweep = 0;

  constructor(
    private readonly orm: Orm,
    private readonly batchSize: number,
  ) {
    this.loader = new DataLoader<FeedKey, FeedPage, string>((keys) => this.read(keys), {
      cache: false,
      maxBatchSize: 500,
      // Events of one Redis read arrive in one I/O callback; waiting for the next turn of the loop
      // lets their subscribers' reads join one statement.
      batchScheduleFn: (callback) => setImmediate(callback),
    });
  }

  /**
   * The messages of `ticketId` after `afterSeq` visible with `includeInternal`. `through` is the seq
   * of the event being handled: a shared page is used only if it was read after that message was
   * committed. Catch-ups (no event) pass null and always read.
   */
  after(ticketId: string, includeInternal: boolean, afterSeq: number, through: number | null): Promise<FeedPage> {
    const key = `${ticketId}:${includeInternal ? 'all' : 'public'}`;
    const feedKey = { ticketId, includeInternal, afterSeq };
    return through === null ? this.fresh(key, feedKey, Date.now()) : this.shared(key, feedKey, through, undefined);
  }

  /** The page shared under `key` if it can serve `through`; else a fresh read (itself shared from then on). */
  private shared(key: string, feedKey: FeedKey, through: number, stale: Shared | undefined): Promise<FeedPage> {
    const now = Date.now();
    const entry = this.recent.get(key);
    if (!entry || entry === stale || entry.afterSeq !== feedKey.afterSeq || now - entry.at >= SHARED_FOR_MS) return this.fresh(key, feedKey, now);
    // Another subscriber may have started a newer read meanwhile: try that one before reading again.
    return entry.page.then((page) => (page.horizon >= through ? page : this.shared(key, feedKey, through, entry)));
  }

  private fresh(key: string, feedKey: FeedKey, now: number): Promise<FeedPage> {
    const page = this.loader.load(feedKey);
    this.recent.set(key, { afterSeq: feedKey.afterSeq, page, at: now });
    page.catch(() => this.recent.delete(key));
    this.sweep(now);
    return page;
  }

  private async read(keys: readonly FeedKey[]): Promise<FeedPage[]> {
    // The authors come in the same statement (a second one per batch cost as much again).
    const em = this.orm.em;
    const rows = await em.getConnection().execute<(MessageRow & Record<string, unknown> & { k: number; horizon: number })[]>(
      `select k.i as k, t.last_seq as horizon, ${messageRowColumns('m')}, ${readOnlyColumns(em, User, 'u', AUTHOR_PREFIX)}
         from unnest(?::text[], ?::int[], ?::bool[]) with ordinality as k(ticket_id, after_seq, include_internal, i)
         join tickets t on t.id = k.ticket_id
         left join lateral (
           select * from messages m
            where m.ticket_id = k.ticket_id and m.seq > k.after_seq and (k.include_internal or not m.internal)
            order by m.seq limit ?
         ) m on true
         left join users u on u.id = m.author_id
        order by k.i, m.seq`,
      [arrayLiteral(keys.map((key) => key.ticketId)), arrayLiteral(keys.map((key) => key.afterSeq)), arrayLiteral(keys.map((key) => key.includeInternal)), this.batchSize + 1],
    );
    const pages: FeedPage[] = keys.map(() => ({ messages: [], authors: [], hasMore: false, horizon: 0 }));
    const authors = new Map<string, User>();
    const references: References = new Map();
    for (const row of rows) {
      const page = pages[Number(row.k) - 1];
      page.horizon = Number(row.horizon);
      if (row.id === null) continue;
      if (page.messages.length === this.batchSize) {
        page.hasMore = true;
        continue;
      }
      page.messages.push(messageFromRow(row, references));
      if (row.author_id === null) continue;
      let author = authors.get(row.author_id) ?? null;
      if (!author) {
        author = readOnlyFromRow(em, User, row, AUTHOR_PREFIX);
        if (!author) continue;
        authors.set(row.author_id, author);
      }
      if (!page.authors.includes(author)) page.authors.push(author);
    }
    return pages;
  }

  /** Forgets pages nobody can share any more. */
  private sweep(now: number): void {
    if (now - this.lastSweep < 10 * SHARED_FOR_MS) return;
    this.lastSweep = now;
    for (const [key, entry] of this.recent) if (now - entry.at >= SHARED_FOR_MS) this.recent.delete(key);
  }
}
