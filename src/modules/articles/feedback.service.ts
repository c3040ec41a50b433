import { createHash } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { isStaff, type Viewer } from '../../shared/auth/viewer';

/** Where one kind of knowledge-base item keeps its counters, votes and daily views. */
export interface FeedbackTables {
  items: 'articles' | 'faqs';
  votes: 'article_votes' | 'faq_votes';
  views: 'article_views' | 'faq_views';
  key: 'article_id' | 'faq_id';
  /** SQL condition (on the item's own row) for content that counts views and takes votes. */
  public: string;
}

export const ARTICLE_FEEDBACK: FeedbackTables = {
  items: 'articles',
  votes: 'article_votes',
  views: 'article_views',
  key: 'article_id',
  public: `status = 'PUBLISHED'`,
};

export const FAQ_FEEDBACK: FeedbackTables = {
  items: 'faqs',
  votes: 'faq_votes',
  views: 'faq_views',
  key: 'faq_id',
  public: 'published',
};

/**
 * Who a reader is, for counting views once a day: the account (guests included) when there is a
 * token, else the visitor id the client keeps, hashed (it may be anything the client chose, so
 * it is neither stored nor compared as given). Null when the reader cannot be told apart from
 * others: such a view is not counted rather than counted again on every reload.
 * Staff are editors, not readers: their views are not counted.
 */
export function readerKey(viewer: Viewer | null, visitorId: string | null | undefined): string | null {
  if (viewer) return isStaff(viewer) ? null : `u:${viewer.userId}`;
  if (!visitorId) return null;
  return `v:${createHash('sha256').update(visitorId).digest('base64url').slice(0, 32)}`;
}

/**
 * Counts a view of a public item, once per reader and UTC day. A repeated view costs one index
 * probe (the insert finds its row and does nothing); only a reader's first view of the day
 * increments the counter, atomically, in the same statement. True when the view counted.
 */
export async function recordView(em: EntityManager, tables: FeedbackTables, itemId: string, reader: string): Promise<boolean> {
  const rows = await em.execute<{ id: string }[]>(
    `with fresh as (
       insert into ${tables.views} (${tables.key}, reader_key, day)
       select i.id, ?, (now() at time zone 'utc')::date from ${tables.items} i where i.id = ? and i.${tables.public}
       on conflict do nothing
       returning ${tables.key}
     )
     update ${tables.items} set view_count = view_count + 1 where id in (select ${tables.key} from fresh) returning id`,
    [reader, itemId],
  );
  return rows.length > 0;
}

/**
 * One vote per person and item; voting again the other way moves the vote, the same way again
 * changes nothing. Two statements in one transaction, each race-safe on its own: the insert waits
 * for a concurrent insert of the same vote and then does nothing, and the flip re-checks the
 * committed vote under its row lock, so the counters move exactly once per real change.
 */
export async function recordVote(em: EntityManager, tables: FeedbackTables, itemId: string, voterId: string, helpful: boolean): Promise<void> {
  await em.transactional(async (tx) => {
    const conn = tx as EntityManager;
    const inserted = await conn.execute<unknown[]>(
      `insert into ${tables.votes} (${tables.key}, voter_id, helpful) values (?, ?, ?) on conflict do nothing returning voter_id`,
      [itemId, voterId, helpful],
    );
    if (inserted.length) {
      const column = helpful ? 'helpful_count' : 'not_helpful_count';
      await conn.execute(`update ${tables.items} set ${column} = ${column} + 1 where id = ?`, [itemId], 'run');
      return;
    }
    const flipped = await conn.execute<unknown[]>(
      `update ${tables.votes} set helpful = ?, updated_at = now() where ${tables.key} = ? and voter_id = ? and helpful <> ? returning voter_id`,
      [helpful, itemId, voterId, helpful],
    );
    if (flipped.length) {
      const delta = helpful ? 1 : -1;
      await conn.execute(
        `update ${tables.items} set helpful_count = helpful_count + ?, not_helpful_count = not_helpful_count - ? where id = ?`,
        [delta, delta, itemId],
        'run',
      );
    }
  });
}

/** The viewer's votes on `itemIds`: item id → helpful. One query for the whole batch. */
export async function votesOf(em: EntityManager, tables: FeedbackTables, voterId: string, itemIds: readonly string[]): Promise<Map<string, boolean>> {
  const rows = await em.execute<{ item_id: string; helpful: boolean }[]>(
    `select ${tables.key} as item_id, helpful from ${tables.votes} where voter_id = ? and ${tables.key} in (${itemIds.map(() => '?').join(', ')})`,
    [voterId, ...itemIds],
  );
  return new Map(rows.map((row) => [row.item_id, row.helpful]));
}

/**
 * Forgets daily view rows before `day` (they only matter on their own day). Nothing schedules
 * this yet: run it from a periodic job once one exists.
 */
export async function pruneViews(em: EntityManager, tables: FeedbackTables, before: Date): Promise<number> {
  const result = await em.execute<{ affectedRows: number }>(`delete from ${tables.views} where day < ?::date`, [before.toISOString().slice(0, 10)], 'run');
  return result.affectedRows;
}
