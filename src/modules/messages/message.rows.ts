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

/** The select list `messageFromRow` reads, over the messages table as `alias`; dates as epoch milliseconds. */
export function messageRowColumns(alias: string): string {
  return [
    ...['id', 'ticket_id', 'seq', 'author_id', 'author_kind', 'kind', 'body', 'internal', 'client_message_id', 'delivery_state'].map((column) => `${alias}.${column}`),
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
export function messageFromRow(row: MessageRow): Message {
  const message = {
    id: row.id,
    ticket: Object.freeze({ id: row.ticket_id }),
    seq: Number(row.seq),
    author: row.author_id === null ? null : Object.freeze({ id: row.author_id }),
    authorKind: row.author_kind,
    kind: row.kind,
    body: row.body,
    internal: row.internal,
    clientMessageId: row.client_message_id,
    deliveryState: row.delivery_state,
    createdAt: date(row.created_ms),
    editedAt: date(row.edited_ms),
    deletedAt: date(row.deleted_ms),
  };
  // A Message by its prototype, so type-graphql hands it to `@Root() message: Message` as it is (it
  // rebuilds anything else with `new Message()`, per field); own data properties, so MikroORM's
  // accessors on that prototype are never reached.
  return Object.freeze(Object.setPrototypeOf(message, Message.prototype) as Message);
}
