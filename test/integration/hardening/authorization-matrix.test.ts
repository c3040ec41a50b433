import {
  getNamedType,
  isAbstractType,
  isLeafType,
  isNonNullType,
  isObjectType,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLSchema,
} from 'graphql';
import { getSchema } from '../../../src/server/schema';
import { createCast, DEFAULT_PASSWORD, type Cast } from '../../support/factories';
import type { TestServer } from '../../support/server';
import { connectWs, disposeWsClients, waitFor } from '../../support/ws-client';
import { installWriteCounter, post, startHardenedServer, type GraphQLBody, type HardenedServer, type WriteCounter } from './support';

/**
 * The global authorization net. Every root Query, Mutation and Subscription field of the served
 * schema must have an entry here (a new field without one fails), and every entry is run as each
 * of six actors with a selection generated from the schema three levels deep, so nested paths are
 * covered too. Actors outside `allow` must be refused (UNAUTHENTICATED, FORBIDDEN, NOT_FOUND) or
 * see nothing (null, an empty list); a refused mutation must not change the database; and every
 * answer, allowed or not, is scanned for objects and fields the actor must never see. The
 * per-module matrices test the rules in detail; this one makes sure nothing slipped past them.
 */

type Actor = 'anonymous' | 'customerA' | 'customerB' | 'agent' | 'supervisor' | 'admin';
const ACTORS: Actor[] = ['anonymous', 'customerA', 'customerB', 'agent', 'supervisor', 'admin'];
const STAFF: Actor[] = ['agent', 'supervisor', 'admin'];
const SIGNED_IN: Actor[] = ['customerA', 'customerB', ...STAFF];
const OWNER_AND_STAFF: Actor[] = ['customerA', ...STAFF];
const DENIAL_CODES = new Set(['UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND']);
/** Their payload's user is whoever just signed in, not the caller. */
const IDENTITY_MUTATIONS = new Set(['signUp', 'login', 'startGuestSession', 'refreshSession']);

interface Fixture {
  ticketA: { id: string; number: string };
  ticketB: { id: string };
  customerMessageA: string;
  publicReplyA: string;
  internalNoteA: string;
  messageB: string;
  publishedArticle: string;
  draftArticle: string;
  publishedFaq: string;
  hiddenFaq: string;
  /** Notification ids by recipient user id. */
  notificationsOf: Map<string, string[]>;
}

interface World {
  server: HardenedServer;
  cast: Cast;
  fixture: Fixture;
  /** Runs `query` as `actor` over HTTP. */
  as(actor: Actor, query: string, variables?: Record<string, unknown>): Promise<GraphQLBody>;
  token(actor: Actor): string | undefined;
  userId(actor: Actor): string | undefined;
}

interface Case {
  /** Shown in failures. */
  name?: string;
  /** Variables for the field's arguments; called once per actor, so it may create fresh objects. */
  args?: (world: World, actor: Actor) => Promise<Record<string, unknown>> | Record<string, unknown>;
  allow: Actor[];
  /** An allowed actor may also see an empty list (an inbox, a search). */
  mayBeEmpty?: boolean;
}

interface SubscriptionCase {
  args?: (world: World) => Record<string, unknown>;
  allow: Actor[];
  /** Makes something happen that allowed subscribers hear of; resolves with a predicate recognising it. */
  trigger?: (world: World) => Promise<(event: Record<string, unknown>) => boolean>;
  /** Allowed actors that may subscribe but are not expected to hear this trigger (their own inbox only). */
  quiet?: Actor[];
}

const fresh = {
  ticket: async (world: World, owner: Actor = 'customerA', status?: string) => {
    const created = await world.as(owner, 'mutation { createTicket(input: { subject: "Fresh", description: "d" }) { ticket { id } } }');
    const id = (created.data as { createTicket: { ticket: { id: string } } }).createTicket.ticket.id;
    if (status) await world.as('admin', 'mutation ($id: ID!, $s: TicketStatus!) { updateTicketStatus(input: { ticketId: $id, status: $s }) { ticket { id } } }', { id, s: status });
    return id;
  },
  message: async (world: World, author: Actor, ticketId = world.fixture.ticketA.id) => {
    const sent = await world.as(author, 'mutation ($t: ID!) { sendMessage(input: { ticketId: $t, body: "fresh" }) { message { id } } }', { t: ticketId });
    return (sent.data as { sendMessage: { message: { id: string } } }).sendMessage.message.id;
  },
  article: async (world: World, state: 'DRAFT' | 'PUBLISHED' | 'ARCHIVED' = 'DRAFT') => {
    const created = await world.as('admin', 'mutation { createArticle(input: { title: "Fresh article", body: "Body" }) { article { id } } }');
    const id = (created.data as { createArticle: { article: { id: string } } }).createArticle.article.id;
    if (state !== 'DRAFT') await world.as('admin', 'mutation ($id: ID!) { publishArticle(id: $id) { article { id } } }', { id });
    if (state === 'ARCHIVED') await world.as('admin', 'mutation ($id: ID!) { archiveArticle(id: $id) { article { id } } }', { id });
    return id;
  },
  faq: async (world: World) => {
    const created = await world.as('admin', 'mutation { createFaq(input: { question: "Fresh?", answer: "Yes.", published: true }) { faq { id } } }');
    return (created.data as { createFaq: { faq: { id: string } } }).createFaq.faq.id;
  },
  session: async (world: World) => {
    const answer = await world.as('anonymous', 'mutation { startGuestSession(input: { name: "Holder" }) { refreshToken } }');
    return (answer.data as { startGuestSession: { refreshToken: string } }).startGuestSession.refreshToken;
  },
};

const unique = () => Math.random().toString(36).slice(2, 10);

const QUERIES: Record<string, Case[]> = {
  node: [
    { name: 'ticket A', args: (w) => ({ id: w.fixture.ticketA.id }), allow: OWNER_AND_STAFF },
    { name: 'internal note', args: (w) => ({ id: w.fixture.internalNoteA }), allow: STAFF },
    { name: 'customer A', args: (w) => ({ id: w.userId('customerA') }), allow: OWNER_AND_STAFF },
    { name: 'draft article', args: (w) => ({ id: w.fixture.draftArticle }), allow: STAFF },
    { name: 'published article', args: (w) => ({ id: w.fixture.publishedArticle }), allow: ACTORS },
  ],
  viewer: [{ allow: SIGNED_IN }],
  agents: [{ allow: STAFF }],
  agent: [{ args: (w) => ({ id: w.cast.agent.agent!.id }), allow: STAFF }],
  articles: [{ args: () => ({ filter: { status: ['DRAFT', 'ARCHIVED', 'PUBLISHED'] } }), allow: ACTORS }],
  article: [
    { name: 'published', args: (w) => ({ id: w.fixture.publishedArticle }), allow: ACTORS },
    { name: 'draft', args: (w) => ({ id: w.fixture.draftArticle }), allow: STAFF },
  ],
  searchArticles: [{ args: () => ({ query: 'printer', status: ['DRAFT', 'PUBLISHED', 'ARCHIVED'] }), allow: ACTORS, mayBeEmpty: true }],
  suggestedArticles: [{ args: (w) => ({ ticketId: w.fixture.ticketA.id }), allow: OWNER_AND_STAFF, mayBeEmpty: true }],
  faqs: [{ args: () => ({ includeUnpublished: true }), allow: ACTORS }],
  searchFaqs: [{ args: () => ({ query: 'printer' }), allow: ACTORS, mayBeEmpty: true }],
  notifications: [{ allow: SIGNED_IN, mayBeEmpty: true }],
  tickets: [{ allow: SIGNED_IN, mayBeEmpty: true }],
  ticket: [{ args: (w) => ({ id: w.fixture.ticketA.id }), allow: OWNER_AND_STAFF }],
  ticketByNumber: [{ args: (w) => ({ number: w.fixture.ticketA.number }), allow: OWNER_AND_STAFF }],
  dashboardStats: [{ allow: STAFF }],
  liveChart: [{ allow: STAFF }],
  agentPerformance: [{ allow: STAFF, mayBeEmpty: true }],
};

const MUTATIONS: Record<string, Case[]> = {
  signUp: [{ args: () => ({ input: { name: 'New', email: `new-${unique()}@example.test`, password: 'a long password' } }), allow: ACTORS }],
  login: [{ args: (w) => ({ input: { email: w.cast.customerB.user.email, password: DEFAULT_PASSWORD } }), allow: ACTORS }],
  startGuestSession: [{ args: () => ({ input: { name: 'Guest' } }), allow: ACTORS }],
  // The refresh token is the credential: whoever holds it may use it, with or without a bearer token.
  refreshSession: [{ args: async (w) => ({ refreshToken: await fresh.session(w) }), allow: ACTORS }],
  logout: [{ args: async (w) => ({ refreshToken: await fresh.session(w) }), allow: ACTORS }],
  createAgent: [{ args: () => ({ input: { name: 'New agent', email: `agent-${unique()}@example.test`, password: 'a long password', role: 'AGENT' } }), allow: ['admin'] }],
  updateAgent: [{ args: (w) => ({ input: { id: w.cast.agent.agent!.id, skills: ['billing'] } }), allow: ['admin'] }],
  setAgentStatus: [{ args: () => ({ status: 'AWAY' }), allow: STAFF }],
  createArticle: [{ args: () => ({ input: { title: `Article ${unique()}`, body: 'Body' } }), allow: STAFF }],
  updateArticle: [{ args: async (w) => ({ input: { id: await fresh.article(w), title: 'Edited' } }), allow: STAFF }],
  publishArticle: [{ args: async (w) => ({ id: await fresh.article(w) }), allow: STAFF }],
  archiveArticle: [{ args: async (w) => ({ id: await fresh.article(w, 'PUBLISHED') }), allow: STAFF }],
  revertArticleToDraft: [{ args: async (w) => ({ id: await fresh.article(w, 'PUBLISHED') }), allow: STAFF }],
  deleteArticle: [{ args: async (w) => ({ id: await fresh.article(w) }), allow: ['admin'] }],
  // Drafts take no votes from anyone (BAD_USER_INPUT for staff, NOT_FOUND for the rest): a rule, not an authorization.
  voteArticle: [{ args: (w) => ({ id: w.fixture.publishedArticle, helpful: true }), allow: SIGNED_IN }],
  recordFaqView: [
    { name: 'published', args: (w) => ({ id: w.fixture.publishedFaq, visitorId: `visitor-${unique()}` }), allow: ACTORS },
    { name: 'hidden', args: (w) => ({ id: w.fixture.hiddenFaq, visitorId: `visitor-${unique()}` }), allow: STAFF },
  ],
  createFaq: [{ args: () => ({ input: { question: `Q ${unique()}?`, answer: 'A.' } }), allow: STAFF }],
  updateFaq: [{ args: async (w) => ({ input: { id: await fresh.faq(w), answer: 'Edited.' } }), allow: STAFF }],
  deleteFaq: [{ args: async (w) => ({ id: await fresh.faq(w) }), allow: ['admin'] }],
  voteFaq: [{ args: (w) => ({ id: w.fixture.publishedFaq, helpful: false }), allow: SIGNED_IN }],
  sendMessage: [
    { name: 'public', args: (w) => ({ input: { ticketId: w.fixture.ticketA.id, body: 'Hello' } }), allow: OWNER_AND_STAFF },
    { name: 'internal', args: (w) => ({ input: { ticketId: w.fixture.ticketA.id, body: 'Note', internal: true } }), allow: STAFF },
  ],
  editMessage: [{ args: (w) => ({ input: { id: w.fixture.customerMessageA, body: `Edited ${unique()}` } }), allow: ['customerA'] }],
  deleteMessage: [
    { args: async (w, actor) => ({ id: actor === 'customerA' || actor === 'admin' ? await fresh.message(w, 'customerA') : w.fixture.customerMessageA }), allow: ['customerA', 'admin'] },
  ],
  markTicketRead: [{ args: (w) => ({ ticketId: w.fixture.ticketA.id }), allow: OWNER_AND_STAFF }],
  markNotificationRead: [{ args: (w) => ({ id: w.fixture.notificationsOf.get(w.userId('customerA')!)![0] }), allow: ['customerA'] }],
  markAllNotificationsRead: [{ allow: SIGNED_IN }],
  setTyping: [{ args: (w) => ({ ticketId: w.fixture.ticketA.id, isTyping: true }), allow: OWNER_AND_STAFF }],
  createTicket: [
    { name: 'own', args: () => ({ input: { subject: 'New', description: 'd' } }), allow: SIGNED_IN },
    { name: 'on behalf of a customer', args: (w) => ({ input: { subject: 'New', description: 'd', customerId: w.userId('customerB') } }), allow: STAFF },
  ],
  updateTicket: [
    { name: 'subject', args: (w) => ({ input: { ticketId: w.fixture.ticketA.id, subject: 'Renamed' } }), allow: OWNER_AND_STAFF },
    { name: 'tags', args: (w) => ({ input: { ticketId: w.fixture.ticketA.id, tags: ['vip'] } }), allow: STAFF },
  ],
  updateTicketStatus: [{ args: async (w) => ({ input: { ticketId: await fresh.ticket(w), status: 'CLOSED' } }), allow: OWNER_AND_STAFF }],
  updateTicketPriority: [{ args: (w) => ({ input: { ticketId: w.fixture.ticketA.id, priority: 'HIGH' } }), allow: STAFF }],
  assignTicket: [{ args: (w) => ({ input: { ticketId: w.fixture.ticketA.id, agentId: w.cast.agent.agent!.id } }), allow: STAFF }],
  bulkUpdateTickets: [{ args: (w) => ({ input: { ticketIds: [w.fixture.ticketA.id, w.fixture.ticketB.id], priority: 'LOW' } }), allow: STAFF }],
  rateTicket: [{ args: async (w) => ({ input: { ticketId: await fresh.ticket(w, 'customerA', 'RESOLVED'), rating: 5 } }), allow: ['customerA'] }],
};

const SUBSCRIPTIONS: Record<string, SubscriptionCase> = {
  messageAdded: {
    args: (w) => ({ ticketId: w.fixture.ticketA.id }),
    allow: OWNER_AND_STAFF,
    // A note first, then a public message: a customer who hears the second must never have heard the first.
    trigger: async (w) => {
      await w.as('agent', 'mutation ($t: ID!) { sendMessage(input: { ticketId: $t, body: "secret", internal: true }) { message { id } } }', { t: w.fixture.ticketA.id });
      const id = await fresh.message(w, 'supervisor');
      return (event) => (event.messageAdded as { id: string }).id === id;
    },
  },
  messagesRead: {
    args: (w) => ({ ticketId: w.fixture.ticketA.id }),
    allow: OWNER_AND_STAFF,
    trigger: async (w) => {
      await fresh.message(w, 'customerA');
      await w.as('agent', 'mutation ($t: ID!) { markTicketRead(ticketId: $t) { ticket { id } } }', { t: w.fixture.ticketA.id });
      return (event) => (event.messagesRead as { user: { id: string } }).user.id === w.userId('agent');
    },
    quiet: ['agent'],
  },
  presence: { args: (w) => ({ ticketId: w.fixture.ticketA.id }), allow: OWNER_AND_STAFF, trigger: async () => () => true },
  typing: {
    args: (w) => ({ ticketId: w.fixture.ticketA.id }),
    allow: OWNER_AND_STAFF,
    trigger: async (w) => {
      await w.as('supervisor', 'mutation ($t: ID!) { setTyping(ticketId: $t, isTyping: true) }', { t: w.fixture.ticketA.id });
      return (event) => (event.typing as { user: { id: string } }).user.id === w.userId('supervisor');
    },
  },
  ticketCreated: {
    allow: STAFF,
    trigger: async (w) => {
      const id = await fresh.ticket(w, 'customerB');
      return (event) => (event.ticketCreated as { id: string }).id === id;
    },
  },
  ticketStatusChanged: {
    args: (w) => ({ ticketId: w.fixture.ticketA.id }),
    allow: OWNER_AND_STAFF,
    trigger: async (w) => {
      await w.as('admin', 'mutation ($t: ID!) { updateTicketStatus(input: { ticketId: $t, status: IN_PROGRESS }) { ticket { id } } }', { t: w.fixture.ticketA.id });
      await w.as('admin', 'mutation ($t: ID!) { updateTicketStatus(input: { ticketId: $t, status: WAITING_ON_CUSTOMER }) { ticket { id } } }', { t: w.fixture.ticketA.id });
      return () => true;
    },
  },
  ticketUpdated: {
    args: (w) => ({ ticketId: w.fixture.ticketA.id }),
    allow: OWNER_AND_STAFF,
    trigger: async (w) => {
      await w.as('admin', 'mutation ($t: ID!) { updateTicketPriority(input: { ticketId: $t, priority: URGENT }) { ticket { id } } }', { t: w.fixture.ticketA.id });
      await w.as('admin', 'mutation ($t: ID!) { updateTicketPriority(input: { ticketId: $t, priority: NORMAL }) { ticket { id } } }', { t: w.fixture.ticketA.id });
      return () => true;
    },
  },
  agentStatusChanged: {
    allow: STAFF,
    trigger: async (w) => {
      await w.as('agent', 'mutation { setAgentStatus(status: BUSY) { id } }');
      await w.as('agent', 'mutation { setAgentStatus(status: AWAY) { id } }');
      return () => true;
    },
  },
  notificationAdded: {
    allow: SIGNED_IN,
    trigger: async (w) => {
      await fresh.message(w, 'agent');
      return () => true;
    },
    // Only customer A hears of an agent's reply on A's ticket; everyone else just may subscribe.
    quiet: ['customerB', 'agent', 'supervisor', 'admin'],
  },
  dashboardUpdated: { allow: STAFF },
};

// ---------------------------------------------------------------- selections from the schema

const MAX_DEPTH = 3;

/** Every field of `type` down to `depth` levels of objects, `__typename` everywhere, fields needing arguments left out. */
function selectionOf(schema: GraphQLSchema, type: GraphQLNamedType, depth: number): string {
  if (isLeafType(type)) return '';
  if (isAbstractType(type)) {
    // Same-named fields of different types (Ticket.status, Agent.status) cannot share a response
    // key, so inside a fragment each field is aliased `Type__field`; the scan reads them back.
    const fragments = schema.getPossibleTypes(type).map((possible) => `... on ${possible.name} { ${fieldsOf(schema, possible, depth, `${possible.name}__`)} }`);
    return `{ __typename ${fragments.join(' ')} }`;
  }
  return `{ ${fieldsOf(schema, type as GraphQLObjectType, depth)} }`;
}

function fieldsOf(schema: GraphQLSchema, type: GraphQLObjectType, depth: number, alias = ''): string {
  const parts = ['__typename'];
  for (const field of Object.values(type.getFields())) {
    if (field.args.some((arg) => isNonNullType(arg.type) && arg.defaultValue === undefined)) continue;
    const named = getNamedType(field.type);
    const key = alias ? `${alias}${field.name}: ${field.name}` : field.name;
    if (isLeafType(named)) parts.push(key);
    else if (depth > 0) parts.push(`${key} ${selectionOf(schema, named, depth - 1)}`);
  }
  return parts.join(' ');
}

/** Undoes the `Type__field` aliases, so every object reads with its own field names. */
function unaliased(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(unaliased);
  if (!value || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([key, child]) => [key.replace(/^\w+?__(?=[a-z_])/, ''), unaliased(child)]));
}

function operationFor(schema: GraphQLSchema, kind: 'query' | 'mutation' | 'subscription', field: GraphQLField<unknown, unknown>, variables: Record<string, unknown>): string {
  const used = field.args.filter((arg) => arg.name in variables);
  const definitions = used.map((arg) => `$${arg.name}: ${arg.type}`).join(', ');
  const args = used.map((arg) => `${arg.name}: $${arg.name}`).join(', ');
  return `${kind}${definitions ? `(${definitions})` : ''} { ${field.name}${args ? `(${args})` : ''} ${selectionOf(schema, getNamedType(field.type), MAX_DEPTH)} }`;
}

// ---------------------------------------------------------------- what each actor must never see

interface Secrets {
  ids: Set<string>;
  staff: boolean;
  self?: string;
}

function secretsOf(world: World, actor: Actor): Secrets {
  const f = world.fixture;
  const staff = STAFF.includes(actor);
  const ids = new Set<string>();
  const othersNotifications = [...f.notificationsOf].filter(([recipient]) => recipient !== world.userId(actor)).flatMap(([, list]) => list);
  othersNotifications.forEach((id) => ids.add(id));
  if (!staff) {
    [f.internalNoteA, f.draftArticle, f.hiddenFaq].forEach((id) => ids.add(id));
    if (actor !== 'customerA') [f.ticketA.id, f.customerMessageA, f.publicReplyA, world.userId('customerA')!].forEach((id) => ids.add(id));
    if (actor !== 'customerB') [f.ticketB.id, f.messageB, world.userId('customerB')!].forEach((id) => ids.add(id));
  }
  return { ids, staff, self: world.userId(actor) };
}

/** Every object in `value` the actor must not see, with where it was found. */
function leaksIn(value: unknown, secrets: Secrets, path = '$'): string[] {
  if (Array.isArray(value)) return value.flatMap((item, index) => leaksIn(item, secrets, `${path}[${index}]`));
  if (!value || typeof value !== 'object') return [];
  const object = value as Record<string, unknown>;
  const found: string[] = [];
  const id = typeof object.id === 'string' ? object.id : undefined;
  if (id && secrets.ids.has(id)) found.push(`${path}: ${object.__typename} ${id}`);
  if (!secrets.staff) {
    if (object.__typename === 'User' && object.email != null && id !== secrets.self) found.push(`${path}: e-mail of user ${id}`);
    if (object.__typename === 'Message' && object.internal === true) found.push(`${path}: internal note ${id}`);
    if (object.__typename === 'Article' && (object.status === 'DRAFT' || object.status === 'ARCHIVED')) found.push(`${path}: ${object.status} article ${id}`);
    if (object.__typename === 'Faq' && object.published === false) found.push(`${path}: unpublished FAQ ${id}`);
  }
  for (const [key, child] of Object.entries(object)) found.push(...leaksIn(child, secrets, `${path}.${key}`));
  return found;
}

type Outcome = 'data' | 'empty' | 'refused' | string;

/** A field refused inside an answer (an agent's load, for a customer) is the rule working, not a failure. */
const nestedRefusal = (error: { path?: (string | number)[]; extensions?: Record<string, unknown> }) =>
  (error.path?.length ?? 0) > 1 && DENIAL_CODES.has(String(error.extensions?.code));

function outcomeOf(body: GraphQLBody, field: string): Outcome {
  const codes = (body.errors ?? []).filter((error) => !nestedRefusal(error)).map((error) => String(error.extensions?.code));
  const value = body.data?.[field];
  if (codes.length) return codes.every((code) => DENIAL_CODES.has(code)) && value == null ? 'refused' : `error ${codes.join(',')}: ${body.errors!.find((error) => !nestedRefusal(error))!.message}`;
  if (value == null) return 'refused';
  if (Array.isArray(value)) return value.length ? 'data' : 'empty';
  const connection = value as { nodes?: unknown[] };
  if (Array.isArray(connection.nodes) && connection.nodes.length === 0) return 'empty';
  return 'data';
}

// ---------------------------------------------------------------- the world

let world: World;
let schema: GraphQLSchema;
let writes: WriteCounter;

beforeAll(async () => {
  schema = await getSchema();
  const server = await startHardenedServer({ QUERY_MAX_DEPTH: '30', QUERY_MAX_COST: '1000000', QUERY_MAX_ALIASES: '1000', QUERY_MAX_TOKENS: '50000', AUTO_ASSIGN: 'false' });
  const cast = await createCast(server as unknown as TestServer);
  const partial = {
    server,
    cast,
    token: (actor: Actor) => (actor === 'anonymous' ? undefined : cast[actor].token),
    userId: (actor: Actor) => (actor === 'anonymous' ? undefined : cast[actor].user.id),
    as: async (actor: Actor, query: string, variables?: Record<string, unknown>) => (await post(server.url, { query, variables }, { token: actor === 'anonymous' ? undefined : cast[actor].token })).body,
  };
  const data = async <T>(actor: Actor, query: string, variables?: Record<string, unknown>): Promise<T> => {
    const body = await partial.as(actor, query, variables);
    if (body.errors) throw new Error(`fixture: ${JSON.stringify(body.errors)}`);
    return body.data as T;
  };
  const ticket = (owner: Actor, subject: string) =>
    data<{ createTicket: { ticket: { id: string; number: string } } }>(owner, 'mutation ($s: String!) { createTicket(input: { subject: $s, description: "My printer is on fire" }) { ticket { id number } } }', { s: subject }).then((d) => d.createTicket.ticket);
  const send = (actor: Actor, ticketId: string, body: string, internal = false) =>
    data<{ sendMessage: { message: { id: string } } }>(actor, 'mutation ($t: ID!, $b: String!, $i: Boolean) { sendMessage(input: { ticketId: $t, body: $b, internal: $i }) { message { id } } }', { t: ticketId, b: body, i: internal }).then((d) => d.sendMessage.message.id);
  const article = (title: string) => data<{ createArticle: { article: { id: string } } }>('agent', 'mutation ($t: String!) { createArticle(input: { title: $t, body: "Printer troubleshooting" }) { article { id } } }', { t: title }).then((d) => d.createArticle.article.id);

  const ticketA = await ticket('customerA', 'Printer on fire');
  const ticketB = await ticket('customerB', 'Printer jammed');
  const customerMessageA = await send('customerA', ticketA.id, 'Please help');
  const publicReplyA = await send('agent', ticketA.id, 'On it');
  const internalNoteA = await send('agent', ticketA.id, 'Customer seems upset', true);
  const messageB = await send('customerB', ticketB.id, 'Hello?');
  const publishedArticle = await article('Printer fires');
  await data('agent', 'mutation ($id: ID!) { publishArticle(id: $id) { article { id } } }', { id: publishedArticle });
  const draftArticle = await article('Printer secrets (draft)');
  const faqOf = (published: boolean) =>
    data<{ createFaq: { faq: { id: string } } }>('agent', 'mutation ($p: Boolean) { createFaq(input: { question: "Printer on fire?", answer: "Call us.", published: $p }) { faq { id } } }', { p: published }).then((d) => d.createFaq.faq.id);
  const publishedFaq = await faqOf(true);
  const hiddenFaq = await faqOf(false);
  const notifications = await server.app.services.orm.em.getConnection().execute<{ id: string; recipient_id: string }[]>('select id, recipient_id from notifications');
  const notificationsOf = new Map<string, string[]>();
  for (const row of notifications) notificationsOf.set(row.recipient_id, [...(notificationsOf.get(row.recipient_id) ?? []), row.id]);
  writes = await installWriteCounter(server);
  world = {
    ...partial,
    fixture: { ticketA, ticketB, customerMessageA, publicReplyA, internalNoteA, messageB, publishedArticle, draftArticle, publishedFaq, hiddenFaq, notificationsOf },
  };
});
afterEach(() => disposeWsClients());
afterAll(() => world?.server.stop());

it('has an entry for every root field of the served schema', () => {
  const missing = (type: GraphQLObjectType | null | undefined, entries: object) => Object.keys(type?.getFields() ?? {}).filter((name) => !(name in entries));
  expect({
    queries: missing(schema.getQueryType(), QUERIES),
    mutations: missing(schema.getMutationType(), MUTATIONS),
    subscriptions: missing(schema.getSubscriptionType(), SUBSCRIPTIONS),
  }).toEqual({ queries: [], mutations: [], subscriptions: [] });
});

describe.each([
  ['query', () => QUERIES] as const,
  ['mutation', () => MUTATIONS] as const,
])('every %s field', (kind, entries) => {
  it('answers each actor as its entry allows, writes nothing when refused, and shows nobody what is not theirs', async () => {
    const root = kind === 'query' ? schema.getQueryType()! : schema.getMutationType()!;
    const problems: string[] = [];
    for (const [name, cases] of Object.entries(entries())) {
      const field = root.getFields()[name];
      if (!field) continue; // reported by the coverage test
      for (const testCase of cases) {
        const caseName = `${name}${testCase.name ? ` (${testCase.name})` : ''}`;
        /** One actor's attempt: its outcome against the entry, and a scan of its answer. */
        const attempt = async (actor: Actor, variables: Record<string, unknown>) => {
          const label = `${caseName} as ${actor}`;
          const allowed = testCase.allow.includes(actor);
          const body = await world.as(actor, operationFor(schema, kind, field, variables), variables);
          const outcome = outcomeOf(body, name);
          const expected = allowed ? (testCase.mayBeEmpty ? ['data', 'empty'] : ['data']) : ['refused', 'empty'];
          if (!expected.includes(outcome)) problems.push(`${label}: expected ${expected.join(' or ')}, got ${outcome}`);
          const secrets = secretsOf(world, actor);
          // Signing in makes the answer's user the caller: their own e-mail is theirs to see.
          const identity = (body.data?.[name] as { user?: { id?: string } } | null | undefined)?.user?.id;
          if (identity && IDENTITY_MUTATIONS.has(name)) {
            secrets.self = identity;
            secrets.ids.delete(identity);
          }
          problems.push(...leaksIn(unaliased(body.data), secrets).map((leak) => `${label}: LEAK ${leak}`));
        };
        const refused = ACTORS.filter((actor) => !testCase.allow.includes(actor));
        const allowed = ACTORS.filter((actor) => testCase.allow.includes(actor));
        // The refused go first, all at once (their arguments made beforehand), and together must
        // write nothing; then the allowed, one by one, since their mutations change things.
        const refusedArgs = await Promise.all(refused.map(async (actor) => (await testCase.args?.(world, actor)) ?? {}));
        const before = await writes.count();
        await Promise.all(refused.map((actor, index) => attempt(actor, refusedArgs[index])));
        const after = await writes.count();
        if (kind === 'mutation' && after !== before) {
          problems.push(`${caseName} as ${refused.join(', ')}: refused, yet wrote ${(await writes.last(after - before)).join(', ')}`);
        }
        for (const actor of allowed) await attempt(actor, (await testCase.args?.(world, actor)) ?? {});
      }
    }
    expect(problems).toEqual([]);
  }, 120_000);
});

describe('every subscription field', () => {
  it.each(Object.keys(SUBSCRIPTIONS))('%s: refuses the actors it should, and brings the others only what is theirs', async (name) => {
    const field = schema.getSubscriptionType()?.getFields()[name];
    if (!field) return; // reported by the coverage test
    const entry = SUBSCRIPTIONS[name];
    const variables = entry.args?.(world) ?? {};
    const query = operationFor(schema, 'subscription', field, variables);
    await waitFor(() => world.server.app.services.realtime.stats().streams === 0, 5000, 'the previous streams to close');
    const live = new Map(
      ACTORS.map((actor) => {
        const { client } = connectWs(world.server.wsUrl, { token: world.token(actor) });
        const record: { data: Record<string, unknown>[]; errors: unknown[]; done: boolean } = { data: [], errors: [], done: false };
        client.subscribe(
          { query, variables },
          {
            next: (result) => {
              if (result.data) record.data.push(result.data as Record<string, unknown>);
              if (result.errors) record.errors.push(...result.errors.filter((error) => !nestedRefusal(error as never)));
            },
            error: (error) => {
              record.errors.push(...(Array.isArray(error) ? error : [error]));
              record.done = true;
            },
            complete: () => {
              record.done = true;
            },
          },
        );
        return [actor, record] as const;
      }),
    );
    const problems: string[] = [];
    // The refused are told so at once.
    for (const actor of ACTORS.filter((a) => !entry.allow.includes(a))) {
      const record = live.get(actor)!;
      await waitFor(() => record.done, 5000, `${name} to refuse ${actor}`).catch(() => problems.push(`${name} as ${actor}: not refused`));
      const codes = record.errors.map((error) => String((error as { extensions?: { code?: string } }).extensions?.code));
      if (!codes.length || !codes.every((code) => DENIAL_CODES.has(code))) problems.push(`${name} as ${actor}: refused with ${JSON.stringify(record.errors)}`);
    }
    // The allowed stay subscribed, and (unless quiet) hear the trigger.
    if (entry.trigger) {
      await waitFor(() => world.server.app.services.realtime.stats().streams >= entry.allow.length, 5000, 'every allowed stream to be live');
      const matches = await entry.trigger(world);
      for (const actor of entry.allow.filter((a) => !entry.quiet?.includes(a))) {
        const record = live.get(actor)!;
        await waitFor(() => record.data.some(matches), 5000, `${name} to reach ${actor}`).catch(() =>
          problems.push(`${name} as ${actor}: heard nothing (${JSON.stringify(record.errors)})`),
        );
      }
    }
    for (const actor of entry.allow) {
      const record = live.get(actor)!;
      if (record.errors.length) problems.push(`${name} as ${actor}: errors ${JSON.stringify(record.errors)}`);
    }
    for (const actor of ACTORS) problems.push(...leaksIn(unaliased(live.get(actor)!.data), secretsOf(world, actor)).map((leak) => `${name} as ${actor}: LEAK ${leak}`));
    expect(problems).toEqual([]);
  });
});
