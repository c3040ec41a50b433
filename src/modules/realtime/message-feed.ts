import DataLoader from 'dataloader';
import type { Orm } from '../../infra/orm';
import { arrayLiteral, selectBound } from '../../infra/sql';
import { RecentMap } from './recent-map';
import { readOnlyColumns, readOnlyFromRow } from '../../shared/read-only-entities';
import { User } from '../accounts/user.entity';
import type { Message } from '../messages/message.entity';
import { AUTHOR_COLUMN_PREFIX, messageFromRow, messageRowColumns, type MessageRow, type References } from '../messages/message.rows';

/** One ticket's messages after a seq, as every subscriber of that ticket on this instance needs them. */
export interface FeedPage {
  /** Oldest first, at most the batch size. Shared by subscribers: read-only. */
  messages: Message[];
  /** More messages follow the batch. */
  hasMore: boolean;
  /** The ticket's last seq in the snapshot the page was read in: the page is complete up to it. */
  horizon: number;
}

/** One ticket's messages with one visibility; see MessageFeed.ref. */
export interface FeedRef {
  readonly ticketId: string;
  readonly includeInternal: boolean;
  readonly key: string;
}

interface FeedKey {
  ticketId: string;
  includeInternal: boolean;
  afterSeq: number;
}

interface Shared {
  afterSeq: number;
  page: Promise<FeedPage>;
  /** The page once read: later subscribers take it without waiting a turn of the microtask queue. */
  settled?: FeedPage;
  at: number;
}

/**
 * How long a page stays shareable: the subscribers of one event ask within a few milliseconds of
 * each other (in the same turn of the event loop when their viewer check is at hand). Pages kept
 * for a second outlived two young-generation collections at fan-out rates, so each one was copied
 * twice and then promoted, only to become old-generation garbage.
 */
const SHARED_FOR_MS = 100;

/** A message's row with its author's columns (see readOnlyColumns), as read here or carried by MESSAGE_ADDED. */
type FeedRow = MessageRow & Record<string, unknown>;


/**
 * messageAdded's reads, shared on this instance. When a message is published, every subscriber of
 * its ticket here wants the same thing: the messages after the seq they have (usually the same
 * one), with the same visibility. The first to ask reads, the others get that read, and the reads
 * asked for in one turn of the event loop (a burst of events on many tickets) go to PostgreSQL as
 * one statement, their authors joined in. A subscriber handling the message with seq N only
 * takes a page whose snapshot already held N; otherwise it reads again, so sharing never hides a
 * message. The messages are read-only values (see messageFromRow), each with its author as a
 * read-only value too (see read-only-entities); field resolvers only read them (the body's
 * visibility is still decided per viewer).
 */
export class MessageFeed {
  private readonly recent = new RecentMap<string, Shared>(SHARED_FOR_MS);
  /** Pages built from an event's row, by ticket (see fromEvent). */
  private readonly eventPages = new RecentMap<string, FeedPage>(SHARED_FOR_MS);
  private readonly loader: DataLoader<FeedKey, FeedPage, string>;

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

  /** What a subscription asks for on every event: one ticket's messages with one visibility, keyed once. */
  ref(ticketId: string, includeInternal: boolean): FeedRef {
    return { ticketId, includeInternal, key: `${ticketId}:${includeInternal ? 'all' : 'public'}` };
  }

  /**
   * The messages of `feed` after `afterSeq`. `through` is the seq of the event being handled: a
   * shared page is used only if it was read after that message was committed. Catch-ups (no
   * event) pass null and always read. `row` is the event's own row (see MESSAGE_ADDED): when the
   * event is the very next message, the page is that message, with no read at all.
   */
  after(feed: FeedRef, afterSeq: number, through: number | null, row?: string): FeedPage | Promise<FeedPage> {
    if (through === null) return this.fresh(feed, afterSeq, Date.now());
    if (row !== undefined && through === afterSeq + 1) return this.fromEvent(feed, through, row);
    return this.shared(feed, afterSeq, through, undefined);
  }

  /**
   * The page of one message, built from its event once for all of this instance's subscribers of
   * the ticket: the same page whatever their visibility, since it holds that message only (a
   * viewer who may not see an internal one never gets here, see the messageAdded handler).
   */
  private fromEvent(feed: FeedRef, through: number, row: string): FeedPage {
    const shared = this.eventPages.get(feed.ticketId);
    if (shared && shared.horizon === through) return shared;
    const [page] = this.pageOf([JSON.parse(row) as FeedRow], 1);
    this.eventPages.set(feed.ticketId, page);
    return page;
  }

  /** The page shared for `feed` if it can serve `through`; else a fresh read (itself shared from then on). */
  private shared(feed: FeedRef, afterSeq: number, through: number, stale: Shared | undefined): FeedPage | Promise<FeedPage> {
    const now = Date.now();
    const entry = this.recent.get(feed.key);
    if (!entry || entry === stale || entry.afterSeq !== afterSeq || now - entry.at >= SHARED_FOR_MS) return this.fresh(feed, afterSeq, now);
    if (entry.settled) return entry.settled.horizon >= through ? entry.settled : this.shared(feed, afterSeq, through, entry);
    // Another subscriber may have started a newer read meanwhile: try that one before reading again.
    return entry.page.then((page) => (page.horizon >= through ? page : this.shared(feed, afterSeq, through, entry)));
  }

  private fresh(feed: FeedRef, afterSeq: number, now: number): Promise<FeedPage> {
    const page = this.loader.load({ ticketId: feed.ticketId, includeInternal: feed.includeInternal, afterSeq });
    const entry: Shared = { afterSeq, page, at: now };
    this.recent.set(feed.key, entry);
    page.then(
      (read) => void (entry.settled = read),
      () => void (this.recent.get(feed.key) === entry && this.recent.delete(feed.key)),
    );
    return page;
  }

  private async read(keys: readonly FeedKey[]): Promise<FeedPage[]> {
    // The authors come in the same statement (a second one per batch cost as much again).
    const em = this.orm.em;
    const rows = await selectBound<FeedRow & { k: number; horizon: number }>(
      em,
      `select k.i as k, t.last_seq as horizon, ${messageRowColumns('m')}, ${readOnlyColumns(em, User, 'u', AUTHOR_COLUMN_PREFIX)}
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
    return this.pageOf(rows, keys.length);
  }

  /**
   * Pages from feed rows: those of `read` (numbered by `k`, from 1, with the ticket's `horizon`),
   * or a single event's row (no `k`: page 0, complete up to its own seq).
   */
  private pageOf(rows: (FeedRow & { k?: number; horizon?: number })[], count: number): FeedPage[] {
    const em = this.orm.em;
    const pages: FeedPage[] = Array.from({ length: count }, () => ({ messages: [], hasMore: false, horizon: 0 }));
    const references: References = new Map();
    for (const row of rows) {
      const page = pages[row.k === undefined ? 0 : Number(row.k) - 1];
      page.horizon = Number(row.horizon ?? row.seq);
      if (row.id === null) continue;
      if (page.messages.length === this.batchSize) {
        page.hasMore = true;
        continue;
      }
      // The author goes in as the message's `author` itself (a read-only value, which
      // Message.author returns as it is), so subscribers need no user loader for it. Ids carry
      // their type, so an author never collides with the ticket's reference.
      if (row.author_id !== null && !references.has(row.author_id)) {
        const author = readOnlyFromRow(em, User, row, AUTHOR_COLUMN_PREFIX);
        if (author) references.set(row.author_id, author);
      }
      page.messages.push(messageFromRow(row, references));
    }
    return pages;
  }
}
