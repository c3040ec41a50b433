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

type MessageColumn = keyof MessageRow;

const epochMs = (column: string, as: string) => `(extract(epoch from ${column}) * 1000)::float8 as ${as}`;

/** Each column of a MessageRow, as selected from the messages table as `alias`: dates as epoch milliseconds. */
const COLUMN_SQL: Record<MessageColumn, (alias: string) => string> = {
  id: (alias) => `${alias}.id`,
  ticket_id: (alias) => `${alias}.ticket_id`,
  seq: (alias) => `${alias}.seq`,
  author_id: (alias) => `${alias}.author_id`,
  author_kind: (alias) => `${alias}.author_kind`,
  kind: (alias) => `${alias}.kind`,
  body: (alias) => `${alias}.body`,
  internal: (alias) => `${alias}.internal`,
  client_message_id: (alias) => `${alias}.client_message_id`,
  delivery_state: (alias) => `${alias}.delivery_state`,
  created_ms: (alias) => epochMs(`${alias}.created_at`, 'created_ms'),
  edited_ms: (alias) => epochMs(`${alias}.edited_at`, 'edited_ms'),
  deleted_ms: (alias) => epochMs(`${alias}.deleted_at`, 'deleted_ms'),
};

const ALL_COLUMNS = Object.keys(COLUMN_SQL) as MessageColumn[];

/** The select list `messageFromRow` reads, over the messages table as `alias` (every column, or those of `columns`). */
export function messageRowColumns(alias: string, columns: MessageColumns = ALL_MESSAGE_COLUMNS): string {
  return columns.names.map((column) => COLUMN_SQL[column](alias)).join(', ');
}

/** A set of MessageRow columns, in one order, with a name to key loaders by. */
export interface MessageColumns {
  readonly names: readonly MessageColumn[];
  readonly key: string;
}

/** Every column: what a message needs when nothing says less. */
export const ALL_MESSAGE_COLUMNS: MessageColumns = { names: ALL_COLUMNS, key: '*' };

/** Read by the page itself: grouping by ticket, cursors. */
const ALWAYS: readonly MessageColumn[] = ['ticket_id', 'seq'];

/**
 * The columns each GraphQL field of Message reads, through its property or its field resolver
 * (message-fields.resolver.ts; body goes through visibleBody). A field not listed here reads the
 * whole row, so a new field is correct before it is listed, only slower.
 */
const FIELD_COLUMNS: Record<string, readonly MessageColumn[]> = {
  __typename: [],
  id: ['id'],
  seq: [],
  ticket: [],
  attachments: ['id'],
  author: ['author_id'],
  authorKind: ['author_kind'],
  kind: ['kind'],
  body: ['body', 'deleted_ms', 'author_id'],
  internal: ['internal'],
  clientMessageId: ['client_message_id'],
  deliveryState: ['delivery_state'],
  createdAt: ['created_ms'],
  editedAt: ['edited_ms'],
  deletedAt: ['deleted_ms'],
  readBy: ['author_id'],
};

/** The fields FIELD_COLUMNS knows (a test holds it to the schema's Message type). */
export const MESSAGE_FIELDS_WITH_COLUMNS: readonly string[] = Object.keys(FIELD_COLUMNS);

const columnSets = new Map<string, MessageColumns>();

/**
 * The columns a page of messages needs for the Message fields a query selects (see
 * nodeFieldsSelected). A list of 50 tickets decodes 1,000 message rows; most queries read two or
 * three of their thirteen columns.
 */
export function messageColumnsFor(fields: ReadonlySet<string>): MessageColumns {
  let columns = columnsOfSelection.get(fields);
  if (!columns) columnsOfSelection.set(fields, (columns = columnsFor(fields)));
  return columns;
}

/** nodeFieldsSelected answers one set per query field, for good: so is this, per set. */
const columnsOfSelection = new WeakMap<ReadonlySet<string>, MessageColumns>();

function columnsFor(fields: ReadonlySet<string>): MessageColumns {
  const wanted = new Set<MessageColumn>(ALWAYS);
  for (const field of fields) {
    const columns = FIELD_COLUMNS[field];
    if (!columns) return ALL_MESSAGE_COLUMNS;
    for (const column of columns) wanted.add(column);
  }
  const names = ALL_COLUMNS.filter((column) => wanted.has(column));
  if (names.length === ALL_COLUMNS.length) return ALL_MESSAGE_COLUMNS;
  const key = names.join(',');
  let columns = columnSets.get(key);
  if (!columns) columnSets.set(key, (columns = Object.freeze({ names, key })));
  return columns;
}

const date = (ms: number | null) => (ms === null ? null : new Date(Number(ms)));

/**
 * A message to read, not to change, for the paths that hand many messages to GraphQL and nothing
 * else (pages of Ticket.messages, messageAdded): built straight from its row. MikroORM spends
 * around 100 µs making each managed entity (identity map, change-tracking snapshot, accessors
 * defined per instance), which made it the largest cost of a list page and of every live delivery.
 * The value has the entity's fields (with `columns`, only theirs: see valueBuilder), relations as
 * references by id (what the field resolvers use), is managed by no EntityManager, and is frozen,
 * so a write by mistake fails loudly. Nothing may hand it to an EntityManager (persist, assign, a
 * relation of a new entity).
 */
export function messageFromRow(row: MessageRow, references: References = new Map(), columns: MessageColumns = ALL_MESSAGE_COLUMNS): Message {
  let Builder = builders.get(columns);
  if (!Builder) builders.set(columns, (Builder = valueBuilder(columns)));
  return Object.freeze(new Builder(row, references));
}

/** Frozen `{ id }` references by id, shared by the messages built together (a page's 20 messages have one ticket and a few authors). */
export type References = Map<string, Readonly<{ id: string }>>;

function referenceTo(references: References, id: string): Readonly<{ id: string }> {
  let reference = references.get(id);
  if (!reference) references.set(id, (reference = Object.freeze({ id })));
  return reference;
}

/** Each property of a message value, by the column it comes from. */
const PROPERTY_OF_COLUMN: Record<MessageColumn, string> = {
  id: 'id',
  ticket_id: 'ticket',
  seq: 'seq',
  author_id: 'author',
  author_kind: 'authorKind',
  kind: 'kind',
  body: 'body',
  internal: 'internal',
  client_message_id: 'clientMessageId',
  delivery_state: 'deliveryState',
  created_ms: 'createdAt',
  edited_ms: 'editedAt',
  deleted_ms: 'deletedAt',
};

type ValueBuilder = new (row: MessageRow, references: References) => Message;
/** Made on first use: MikroORM puts its accessors on Message's prototype when it starts (see readOnlyPrototype). */
const builders = new Map<MessageColumns, ValueBuilder>();

/**
 * The constructor of the values built from `columns`: their properties assigned in one order, so
 * the values of a page share a hidden class, on the read-only prototype of Message. A value built
 * from fewer than all columns throws on any other property rather than answering `undefined`, so
 * a field resolver that needs a column FIELD_COLUMNS does not give it fails loudly (an internal
 * error, and every test through that field) instead of answering null.
 */
function valueBuilder(columns: MessageColumns): ValueBuilder {
  const loaded = new Set<MessageColumn>(columns.names);
  let prototype = readOnlyPrototype(Message);
  if (columns !== ALL_MESSAGE_COLUMNS) {
    prototype = Object.create(prototype) as object;
    for (const [column, property] of Object.entries(PROPERTY_OF_COLUMN) as [MessageColumn, string][]) {
      if (loaded.has(column)) continue;
      Object.defineProperty(prototype, property, {
        get: () => {
          throw new Error(`Message.${property} was not read for this page: its column ${column} is missing from FIELD_COLUMNS (message.rows.ts)`);
        },
        enumerable: false,
      });
    }
  }
  const id = loaded.has('id');
  const author = loaded.has('author_id');
  const authorKind = loaded.has('author_kind');
  const kind = loaded.has('kind');
  const body = loaded.has('body');
  const internal = loaded.has('internal');
  const clientMessageId = loaded.has('client_message_id');
  const deliveryState = loaded.has('delivery_state');
  const createdAt = loaded.has('created_ms');
  const editedAt = loaded.has('edited_ms');
  const deletedAt = loaded.has('deleted_ms');
  function MessageValue(this: Record<string, unknown>, row: MessageRow, references: References): void {
    if (id) this.id = row.id;
    this.ticket = referenceTo(references, row.ticket_id);
    this.seq = Number(row.seq);
    if (author) this.author = row.author_id === null ? null : referenceTo(references, row.author_id);
    if (authorKind) this.authorKind = row.author_kind;
    if (kind) this.kind = row.kind;
    if (body) this.body = row.body;
    if (internal) this.internal = row.internal;
    if (clientMessageId) this.clientMessageId = row.client_message_id;
    if (deliveryState) this.deliveryState = row.delivery_state;
    if (createdAt) this.createdAt = date(row.created_ms);
    if (editedAt) this.editedAt = date(row.edited_ms);
    if (deletedAt) this.deletedAt = date(row.deleted_ms);
  }
  MessageValue.prototype = prototype;
  return MessageValue as unknown as ValueBuilder;
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
