import DataLoader from 'dataloader';
import type { RequestContext } from '../../server/context';
import { isStaff } from '../../shared/auth/viewer';
import { byKeys, groupByKeys, type LoaderFactory } from '../../shared/loaders/registry';
import { Attachment } from './attachment.entity';
import { Message } from './message.entity';
import { messageFromRow, messageRowColumns, type MessageColumns, type MessageRow, type References } from './message.rows';
import { ReadCursor } from './read-cursor.entity';

/** One page of one ticket's messages, as the connection needs it. */
export interface MessagePageKey {
  ticketId: string;
  includeInternal: boolean;
  afterSeq: number | null;
  /** Cursor bounds, as seqs. */
  after: number | null;
  before: number | null;
  limit: number;
  /** True for `last: N` (the newest N), false for `first: N`. */
  fromEnd: boolean;
  /** What the query reads of each message (see messageColumnsFor). */
  columns: MessageColumns;
}

export interface MessagePage {
  messages: Message[];
  /** Messages matching visibility and afterSeq (ignoring cursors); null when no row told us. */
  totalCount: number | null;
  /** Messages within the cursor bounds (before the limit). */
  boundedCount: number;
}

/**
 * Pages of messages for many tickets in one statement. MikroORM cannot limit per parent, so a
 * window function numbers each ticket's messages and the outer query keeps the first `limit`.
 * Keys with the same arguments (the usual case: one list, one selection) share a statement.
 * Authors are not joined: Message.author reads them through userById, one statement for the few
 * distinct authors of the whole list. Joined, PostgreSQL hashed the whole users table for every page
 * and pg decoded their columns on every row (measured: 38 → 55 serial list requests/s).
 */
export const messagePages: LoaderFactory<MessagePageKey, MessagePage, string> = (ctx) =>
  new DataLoader(
    async (keys) => {
      const groups = new Map<string, MessagePageKey[]>();
      for (const key of keys) {
        const signature = pageKey({ ...key, ticketId: '' });
        groups.set(signature, [...(groups.get(signature) ?? []), key]);
      }
      const pages = new Map<string, MessagePage>();
      for (const group of groups.values()) {
        const sample = group[0];
        const ticketIds = [...new Set(group.map((key) => key.ticketId))];
        const rows = await loadPageRows(ctx, ticketIds, sample);
        const rowsByTicket = groupByKeys(ticketIds, rows, (row) => row.ticket_id);
        const references: References = new Map();
        ticketIds.forEach((ticketId, index) => {
          const ticketRows = rowsByTicket[index];
          // The counts are the same on every row of a ticket: the statement sends them on one.
          const counted = ticketRows.find((row) => row.total_count !== null);
          pages.set(pageKey({ ...sample, ticketId }), {
            // Read-only values, not managed entities: a page of 50 tickets holds up to 5,000 messages (see messageFromRow).
            messages: ticketRows.map((row) => messageFromRow(row, references, sample.columns)),
            totalCount: counted ? Number(counted.total_count) : null,
            boundedCount: counted ? Number(counted.bounded_count) : 0,
          });
        });
      }
      return keys.map((key) => pages.get(pageKey(key))!);
    },
    { cacheKeyFn: pageKey },
  );

/** `?, ?, ?`: knex would otherwise expand an array binding in ways `= any(?)` does not expect. */
function placeholders(values: readonly unknown[]): string {
  return values.map(() => '?').join(', ');
}

function pageKey(key: MessagePageKey): string {
  return JSON.stringify({ ...key, columns: key.columns.key });
}

type PageRow = MessageRow & { total_count: number | null; bounded_count: number | null };

async function loadPageRows(ctx: RequestContext, ticketIds: string[], key: MessagePageKey): Promise<PageRow[]> {
  const visible: string[] = [`m.ticket_id in (${placeholders(ticketIds)})`];
  const params: unknown[] = [...ticketIds];
  if (!key.includeInternal) visible.push('not m.internal');
  if (key.afterSeq != null) {
    visible.push('m.seq > ?');
    params.push(key.afterSeq);
  }
  const bounds: string[] = ['true'];
  if (key.after != null) {
    bounds.push('v.seq > ?');
    params.push(key.after);
  }
  if (key.before != null) {
    bounds.push('v.seq < ?');
    params.push(key.before);
  }
  params.push(key.limit);
  const sql = `
    with visible as (
      select ${messageRowColumns('m', key.columns)}, (count(*) over (partition by m.ticket_id))::int as total_count
      from messages m where ${visible.join(' and ')}
    ), bounded as (
      select v.*, row_number() over (partition by v.ticket_id order by v.seq ${key.fromEnd ? 'desc' : 'asc'}) as rn,
             (count(*) over (partition by v.ticket_id))::int as bounded_count
      from visible v where ${bounds.join(' and ')}
    )
    select ${key.columns.names.map((column) => `b.${column}`).join(', ')},
           case when b.rn = 1 then b.total_count end as total_count, case when b.rn = 1 then b.bounded_count end as bounded_count
      from bounded b where b.rn <= ? order by b.ticket_id, b.seq`;
  return ctx.em.getConnection().execute<PageRow[]>(sql, params);
}

/** How many messages of a ticket the connection covers, for `totalCount` when a page came back empty. */
export const visibleMessageCounts: LoaderFactory<{ ticketId: string; includeInternal: boolean; afterSeq: number | null }, number, string> = (ctx) =>
  new DataLoader(
    async (keys) =>
      Promise.all(
        keys.map(async (key) => {
          const where: Record<string, unknown> = { ticket: key.ticketId };
          if (!key.includeInternal) where.internal = false;
          if (key.afterSeq != null) where.seq = { $gt: key.afterSeq };
          return ctx.em.count(Message, where);
        }),
      ),
    { cacheKeyFn: (key) => JSON.stringify(key) },
  );

/** The viewer's unread count per ticket: messages from the other side past their read cursor. */
export const unreadCounts: LoaderFactory<string, number> = (ctx) =>
  new DataLoader(async (ticketIds) => {
    const viewer = ctx.viewer;
    if (!viewer) return ticketIds.map(() => 0);
    const staff = isStaff(viewer);
    const rows = await ctx.em.getConnection().execute<{ ticket_id: string; unread: number }[]>(
      `select m.ticket_id, count(*)::int as unread
         from messages m
         left join read_cursors c on c.ticket_id = m.ticket_id and c.user_id = ?
        where m.ticket_id in (${placeholders(ticketIds)})
          and m.seq > coalesce(c.last_read_seq, 0)
          and m.deleted_at is null
          and m.author_kind in (${staff ? "'CUSTOMER'" : "'AGENT', 'SYSTEM'"})
          ${staff ? '' : 'and not m.internal'}
          and (m.author_id is null or m.author_id <> ?)
        group by m.ticket_id`,
      [viewer.userId, ...ticketIds, viewer.userId],
    );
    return byKeys(ticketIds, rows, (row) => row.ticket_id, (row) => row.unread, 0);
  });

/** Every participant's read cursor per ticket (read receipts are derived from these). */
export const readCursorsByTicketId: LoaderFactory<string, ReadCursor[]> = (ctx) =>
  new DataLoader(async (ticketIds) => {
    const cursors = await ctx.em.find(ReadCursor, { ticket: { $in: [...ticketIds] } }, { orderBy: { readAt: 'asc' } });
    return groupByKeys(ticketIds, cursors, (cursor) => cursor.ticket.id);
  });

export const attachmentsByMessageId: LoaderFactory<string, Attachment[]> = (ctx) =>
  new DataLoader(async (messageIds) => {
    const attachments = await ctx.em.find(Attachment, { message: { $in: [...messageIds] } }, { orderBy: { createdAt: 'asc', id: 'asc' } });
    return groupByKeys(messageIds, attachments, (attachment) => attachment.message!.id);
  });

export const messageById: LoaderFactory<string, Message | null> = (ctx) =>
  new DataLoader(async (ids) => {
    const messages = await ctx.em.find(Message, { id: { $in: [...ids] } });
    return byKeys(ids, messages, (message) => message.id, (message) => message, null);
  });
