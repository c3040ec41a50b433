import { readOnlyPrototype } from '../../shared/read-only-entities';
import { Message } from './message.entity';

/** A message as `messageRowColumns` selects it. */
export interface MessageRow {
  id: string;
  ticket_id: string;
  seq: number;
  author_id: string | null;
  author_kind: string;
  kind: string;
  body: string;
  internal: boolean;
  client_message_id: string | null;
  delivery_state: string | null;
  created_ms: number;
  edited_ms: number | null;
  deleted_ms: number | null;
}

const epochMs = (column: string, as: string) => `(extract(epoch from ${column}) * 1000)::float8 as ${as}`;

const STORED_COLUMNS = ['id', 'ticket_id', 'seq', 'author_id', 'author_kind', 'kind', 'body', 'internal', 'client_message_id', 'delivery_state'];

/** The names of the columns `messageRowColumns` selects, for a statement that selects them again from a subquery. */
export const MESSAGE_COLUMN_NAMES = [...STORED_COLUMNS, 'created_ms', 'edited_ms', 'deleted_ms'];

/** The select list `messageFromRow` reads, over the messages table as `alias`; dates as epoch milliseconds. */
export function messageRowColumns(alias: string): string {
  return [
    ...STORED_COLUMNS.map((column) => `${alias}.${column}`),
    epochMs(`${alias}.created_at`, 'created_ms'),
    epochMs(`${alias}.edited_at`, 'edited_ms'),
    epochMs(`${alias}.deleted_at`, 'deleted_ms'),
  ].join(', ');
}

const date = (ms: number | null) => (ms === null ? null : new Date(Number(ms)));

/**
 * A message to read, not to change, for the paths that hand many messages to GraphQL and nothing
 * else (pages of Ticket.messages, messageAdded): built straight from its row. MikroORM spends
 * around 100 µs making each managed entity (identity map, change-tracking snapshot, accessors
 * defined per instance), which made it the largest cost of a list page and of every live delivery.
 * The value has the entity's fields, relations as references by id (what the field resolvers
 * use), is managed by no EntityManager, and is frozen, so a write by mistake fails loudly.
 * Nothing may hand it to an EntityManager (persist, assign, a relation of a new entity).
 */
export function messageFromRow(row: MessageRow, references: References = new Map()): Message {
  // Set on first use: MikroORM puts its accessors on Message's prototype when it starts.
  if (MessageValue.prototype !== messageValuePrototype) MessageValue.prototype = messageValuePrototype ??= readOnlyPrototype(Message);
  return Object.freeze(new (MessageValue as unknown as new (row: MessageRow, references: References) => Message)(row, references));
}

/** Frozen `{ id }` references by id, shared by the messages built together (a page's 20 messages have one ticket and a few authors). */
export type References = Map<string, Readonly<{ id: string }>>;

function referenceTo(references: References, id: string): Readonly<{ id: string }> {
  let reference = references.get(id);
  if (!reference) references.set(id, (reference = Object.freeze({ id })));
  return reference;
}

let messageValuePrototype: object | undefined;

/**
 * The read-only message's constructor: fields assigned in one order, so every value shares one
 * hidden class, on the read-only prototype of Message (see readOnlyPrototype).
 */
function MessageValue(this: Record<string, unknown>, row: MessageRow, references: References): void {
  this.id = row.id;
  this.ticket = referenceTo(references, row.ticket_id);
  this.seq = Number(row.seq);
  this.author = row.author_id === null ? null : referenceTo(references, row.author_id);
  this.authorKind = row.author_kind;
  this.kind = row.kind;
  this.body = row.body;
  this.internal = row.internal;
  this.clientMessageId = row.client_message_id;
  this.deliveryState = row.delivery_state;
  this.createdAt = date(row.created_ms);
  this.editedAt = date(row.edited_ms);
  this.deletedAt = date(row.deleted_ms);
}

/** The prefix of the author's columns in a row that carries them (see readOnlyColumns): MessageFeed's reads and MESSAGE_ADDED's row. */
export const AUTHOR_COLUMN_PREFIX = 'author__';

/** The row `messageRowColumns` would select for `message`, from its current values. */
export function messageRowOf(message: Message): MessageRow {
  return {
    id: message.id,
    ticket_id: message.ticket.id,
    seq: message.seq,
    author_id: message.author?.id ?? null,
    author_kind: message.authorKind,
    kind: message.kind,
    body: message.body,
    internal: message.internal,
    client_message_id: message.clientMessageId ?? null,
    delivery_state: message.deliveryState ?? null,
    created_ms: message.createdAt.getTime(),
    edited_ms: message.editedAt?.getTime() ?? null,
    deleted_ms: message.deletedAt?.getTime() ?? null,
  };
}
