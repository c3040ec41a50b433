import type { EntityManager } from '@mikro-orm/postgresql';
import type { RequestContext } from '../../server/context';
import { requireViewer } from '../../shared/auth/guards';
import { canDeleteMessage, canEditMessage, canReadTicket, canSeeInternalNotes, MESSAGE_EDIT_WINDOW_MS } from '../../shared/auth/policies';
import { isAdmin, isStaff, type Viewer } from '../../shared/auth/viewer';
import { badInput, forbidden, notFound } from '../../shared/errors';
import { transactionWithEvents } from '../../shared/events/transaction';
import { isIdOf } from '../../shared/ids';
import { DEFAULT_PAGE_SIZE, lazy, withLazyEdges, type ConnectionShape } from '../../shared/pagination/connection';
import { checkRelayArgs } from '../../shared/pagination/paginate';
import { User } from '../accounts/user.entity';
import type { Ticket } from '../tickets/ticket.entity';
import { applyMessageToTicket, findReadableTicket, pendingTicketUpdate, ticketTransaction, type TicketWork } from '../tickets/ticket.service';
import { Attachment } from './attachment.entity';
import { decodeMessageCursor, encodeMessageCursor } from './message-cursor';
import { MessageAuthorKind, MessageKind } from './message.enums';
import { Message } from './message.entity';
import type { EditMessageInput, SendMessageInput, TicketMessagesArgs } from './message.inputs';
import { messagePages, visibleMessageCounts } from './message.loaders';
import { execute } from '../../infra/sql';
import type { OutboxEvent } from '../../shared/events/topics';
import { readOnlyColumns } from '../../shared/read-only-entities';
import { ALL_MESSAGE_COLUMNS, AUTHOR_COLUMN_PREFIX, messageRowOf, type MessageColumns } from './message.rows';

const MESSAGE = 'Message';

/** The message, if the viewer may see it: its ticket readable, and internal notes for staff only. */
async function findVisibleMessage(ctx: RequestContext, em: EntityManager, id: string): Promise<Message> {
  const viewer = requireViewer(ctx);
  if (!isIdOf(id, 'Message')) throw notFound(MESSAGE);
  const message = await em.findOne(Message, { id }, { populate: ['ticket'] });
  if (!message || !canReadTicket(viewer, message.ticket.getEntity()) || (message.internal && !canSeeInternalNotes(viewer))) {
    throw notFound(MESSAGE);
  }
  return message;
}

/** For `node(id)`: null rather than an error. */
export async function findMessageForNode(ctx: RequestContext, id: string): Promise<Message | null> {
  if (!ctx.viewer) return null;
  return findVisibleMessage(ctx, ctx.em, id).catch(() => null);
}

/** The body as this viewer sees it: a deleted message is blank for all but its author and admins. */
export function visibleBody(viewer: Viewer | null, message: Message): string {
  if (!message.deletedAt) return message.body;
  const isAuthor = !!viewer && message.author?.id === viewer.userId;
  return isAuthor || isAdmin(viewer) ? message.body : '';
}

/** Moves a user's read cursor forward (never back). Returns the new position when it moved. */
export async function advanceReadCursor(em: EntityManager, ticketId: string, userId: string, seq: number, at: Date): Promise<number | null> {
  const rows = await execute<{ last_read_seq: number }>(
    em,
    `insert into read_cursors (ticket_id, user_id, last_read_seq, read_at) values (?, ?, ?, ?)
     on conflict (ticket_id, user_id) do update set last_read_seq = excluded.last_read_seq, read_at = excluded.read_at
     where read_cursors.last_read_seq < excluded.last_read_seq
     returning last_read_seq`,
    [ticketId, userId, seq, at],
  );
  return rows.length ? rows[0].last_read_seq : null;
}

/**
 * Inserts `message` (not managed yet: it joins the unit of work as written), moves its author's
 * read cursor to it and writes the ticket's pending changes, in one statement, which also reads
 * the author's columns for MESSAGE_ADDED (see messageAddedEvent). Returns them.
 */
async function writeMessage(em: EntityManager, ticket: Ticket, message: Message, authorId: string): Promise<Record<string, unknown>> {
  const update = pendingTicketUpdate(em, ticket);
  const rows = await execute<{ last_activity_ms: number } & Record<string, unknown>>(
    em,
    `with message as (
       insert into messages (id, ticket_id, seq, author_id, author_kind, kind, body, internal, client_message_id, created_at)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ), read_cursor as (
       insert into read_cursors (ticket_id, user_id, last_read_seq, read_at) values (?, ?, ?, ?)
       on conflict (ticket_id, user_id) do update set last_read_seq = excluded.last_read_seq, read_at = excluded.read_at
       where read_cursors.last_read_seq < excluded.last_read_seq
     ), ticket_update as (
       ${update ? update.sql : 'select null::float8 as last_activity_ms'}
     )
     select w.last_activity_ms, ${readOnlyColumns(em, User, 'u', AUTHOR_COLUMN_PREFIX)} from ticket_update w left join users u on u.id = ?`,
    [
      message.id,
      message.ticket.id,
      message.seq,
      authorId,
      message.authorKind,
      message.kind,
      message.body,
      message.internal,
      message.clientMessageId ?? null,
      message.createdAt,
      message.ticket.id,
      authorId,
      message.seq,
      message.createdAt,
      ...(update ? update.params : []),
      authorId,
    ],
  );
  em.merge(message);
  update?.written(rows[0]);
  const { last_activity_ms: _, ...author } = rows[0];
  return author;
}

/**
 * MESSAGE_ADDED for `message`, carrying its row and its author's columns (null for a system
 * message) so that subscribers need not read it back. The row is written when the event is
 * published, after the commit: the rest of the transaction may still change the message (a
 * messenger reply's deliveryState).
 */
function messageAddedEvent(message: Message, author: Record<string, unknown> | null): OutboxEvent {
  const event = { type: 'MESSAGE_ADDED', ticketId: message.ticket.id, messageId: message.id, seq: message.seq, internal: message.internal, authorId: message.author?.id ?? null } as const;
  let row: string | undefined;
  return Object.defineProperty(event, 'row', { enumerable: true, get: () => (row ??= JSON.stringify({ ...messageRowOf(message), ...author })) });
}

/** Links the sender's own, still unattached uploads; returns the message kind they imply. */
async function attachUploads(em: EntityManager, viewer: Viewer, message: Message, attachmentIds: readonly string[]): Promise<MessageKind> {
  if (!attachmentIds.length) return MessageKind.TEXT;
  const uploads = await em.find(Attachment, { id: { $in: [...attachmentIds] }, uploader: viewer.userId, message: null });
  if (uploads.length !== attachmentIds.length) {
    throw badInput('attachmentIds', 'Each attachment must be your own upload, not yet attached to a message.');
  }
  for (const upload of uploads) upload.message = em.getReference(Message, message.id, { wrapped: true });
  return uploads.every((upload) => upload.mimeType.startsWith('image/')) ? MessageKind.IMAGE : MessageKind.FILE;
}

/**
 * Appends a message. The ticket row is locked first, so `seq` follows commit order without gaps,
 * the counters and the status move in the same transaction, and a retry with the same
 * `clientMessageId` (even a concurrent one) finds the first message instead of storing a second.
 */
export async function sendMessage(ctx: RequestContext, input: SendMessageInput): Promise<Message> {
  const viewer = requireViewer(ctx);
  if (input.internal && !canSeeInternalNotes(viewer)) throw forbidden('Only staff may write internal notes.');
  return ticketTransaction(ctx, async (work) => {
    const { em, outbox } = work;
    const ticket = await findReadableTicket(ctx, em, input.ticketId, true);
    if (input.clientMessageId) {
      const existing = await em.findOne(Message, { ticket, author: viewer.userId, clientMessageId: input.clientMessageId });
      if (existing) return existing;
    }
    const now = new Date();
    const seq = ticket.lastSeq + 1;
    const internal = !!input.internal;
    const authorKind = isStaff(viewer) ? MessageAuthorKind.AGENT : MessageAuthorKind.CUSTOMER;
    const message = em.create(
      Message,
      {
        ticket,
        seq,
        author: em.getReference(User, viewer.userId),
        authorKind,
        body: input.body,
        internal,
        clientMessageId: input.clientMessageId ?? null,
        deliveryState: null,
        createdAt: now,
      },
      { persist: false },
    );
    message.kind = await attachUploads(em, viewer, message, input.attachmentIds ?? []);
    applyMessageToTicket(work, ticket, { seq, internal, at: now, from: authorKind, authorId: viewer.userId, body: input.body });
    // The message, the read cursor (writing a message means having read everything before it) and
    // the ticket's counters and status in one round trip; history lines and notifications follow
    // with ticketTransaction's flush.
    const author = await writeMessage(em, ticket, message, viewer.userId);
    outbox.push(messageAddedEvent(message, author));
    return message;
  });
}

/** A SYSTEM message (acknowledgements, routing notices), written in the caller's transaction. */
export function appendSystemMessage(work: TicketWork, ticket: Ticket, body: string): Message {
  const { em, outbox } = work;
  const now = new Date();
  const seq = ticket.lastSeq + 1;
  const message = em.create(Message, { ticket, seq, author: null, authorKind: MessageAuthorKind.SYSTEM, kind: MessageKind.SYSTEM, body, createdAt: now });
  applyMessageToTicket(work, ticket, { seq, internal: false, at: now, from: 'SYSTEM', authorId: null, body });
  outbox.push(messageAddedEvent(message, null));
  return message;
}

/** The author may correct a message within five minutes of sending it. */
export async function editMessage(ctx: RequestContext, input: EditMessageInput): Promise<Message> {
  const viewer = requireViewer(ctx);
  return transactionWithEvents(ctx, async (em, outbox) => {
    const message = await findVisibleMessage(ctx, em, input.id);
    if (!canEditMessage(viewer, message)) throw forbidden('Only the author can edit a message.');
    if (message.deletedAt) throw badInput('id', 'A deleted message cannot be edited.');
    if (Date.now() - message.createdAt.getTime() > MESSAGE_EDIT_WINDOW_MS) throw forbidden('Messages can be edited for 5 minutes after sending.');
    if (message.body !== input.body) {
      message.body = input.body;
      message.editedAt = new Date();
      outbox.push({ type: 'MESSAGE_CHANGED', ticketId: message.ticket.id, messageId: message.id });
    }
    await em.flush();
    return message;
  });
}

/** Soft delete by the author or an admin: the message keeps its place (seq), its body is blanked for others. */
export async function deleteMessage(ctx: RequestContext, id: string): Promise<Message> {
  const viewer = requireViewer(ctx);
  return transactionWithEvents(ctx, async (em, outbox) => {
    const message = await findVisibleMessage(ctx, em, id);
    if (!canDeleteMessage(viewer, message)) throw forbidden('Only the author or an admin can delete a message.');
    if (!message.deletedAt) {
      message.deletedAt = new Date();
      outbox.push({ type: 'MESSAGE_CHANGED', ticketId: message.ticket.id, messageId: message.id });
    }
    await em.flush();
    return message;
  });
}

/** Moves the viewer's read cursor to the ticket's newest message. */
export async function markTicketRead(ctx: RequestContext, ticketId: string): Promise<Ticket> {
  const viewer = requireViewer(ctx);
  return transactionWithEvents(ctx, async (em, outbox) => {
    const ticket = await findReadableTicket(ctx, em, ticketId);
    const readAt = new Date();
    const moved = ticket.lastSeq > 0 ? await advanceReadCursor(em, ticket.id, viewer.userId, ticket.lastSeq, readAt) : null;
    if (moved != null) outbox.push({ type: 'MESSAGES_READ', ticketId: ticket.id, userId: viewer.userId, readAt, lastReadSeq: moved });
    return ticket;
  });
}

/**
 * `Ticket.messages`: oldest first, internal notes only for staff, `afterSeq` to resume. Served by a
 * batched loader, so a list of tickets costs one statement however many tickets it shows, reading
 * the `columns` its query needs of each message.
 */
export async function ticketMessages(
  ctx: RequestContext,
  ticket: Ticket,
  args: TicketMessagesArgs,
  columns: MessageColumns = ALL_MESSAGE_COLUMNS,
): Promise<ConnectionShape<Message>> {
  checkRelayArgs(args);
  const includeInternal = canSeeInternalNotes(ctx.viewer);
  const fromEnd = args.last != null || (args.before != null && args.first == null);
  const limit = (fromEnd ? args.last : args.first) ?? DEFAULT_PAGE_SIZE;
  const after = args.after != null ? decodeMessageCursor(args.after, 'after') : null;
  const before = args.before != null ? decodeMessageCursor(args.before, 'before') : null;
  const afterSeq = args.afterSeq ?? null;
  const page = await ctx.loaders.get(messagePages).load({ ticketId: ticket.id, includeInternal, afterSeq, after, before, limit, fromEnd, columns });
  const messages = page.messages;
  const more = page.boundedCount > messages.length;
  const outside = page.totalCount != null && page.totalCount > page.boundedCount;
  return withLazyEdges({
    nodes: messages,
    pageInfo: {
      hasNextPage: fromEnd ? before != null && outside : more,
      hasPreviousPage: fromEnd ? more : after != null && outside,
      startCursor: messages.length ? encodeMessageCursor(messages[0].seq) : null,
      endCursor: messages.length ? encodeMessageCursor(messages[messages.length - 1].seq) : null,
    },
    totalCount:
      page.totalCount ?? lazy(() => ctx.loaders.get(visibleMessageCounts).load({ ticketId: ticket.id, includeInternal, afterSeq })),
  }, (node) => encodeMessageCursor(node.seq));
}
