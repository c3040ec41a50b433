import {
  AssignTicketDocument,
  CreateTicketDocument,
  SendMessageDocument,
  TicketDocument,
  TicketListDocument,
  TicketsDocument,
  UpdateTicketStatusDocument,
  type CreateTicketInput,
  type TicketsQueryVariables,
} from '../../__generated__/graphql';
import type { QueryOrderMap } from '@mikro-orm/core';
import { Ticket } from '../../../src/modules/tickets/ticket.entity';
import type { ConnectionShape } from '../../../src/shared/pagination/connection';
import { paginate, paginateReadOnly } from '../../../src/shared/pagination/paginate';
import { createCast, type Actor, type Cast } from '../../support/factories';
import { startTestServer, type TestServer } from '../../support/server';

let server: TestServer;
let cast: Cast;
const ids: Record<string, string> = {};

async function open(actor: Actor, key: string, input: Partial<CreateTicketInput>) {
  const { createTicket } = await actor.client.data(CreateTicketDocument, {
    input: { subject: `Ticket ${key}`, description: 'Something is wrong.', ...input },
  });
  ids[key] = createTicket.ticket.id;
  return createTicket.ticket;
}

beforeAll(async () => {
  server = await startTestServer();
  cast = await createCast(server);
  // Created one by one so creation order is well defined.
  await open(cast.customerA, 'refund', { subject: 'Refund for double charge', priority: 'HIGH', category: 'billing', department: 'billing', tags: ['refund', 'card'] });
  await open(cast.customerA, 'login', { subject: 'Cannot log in', description: 'The password reset email never arrives', priority: 'URGENT', channel: 'MOBILE', tags: ['login'] });
  await open(cast.customerB, 'payout', { subject: 'Payout delayed', priority: 'LOW', category: 'payouts', tags: ['payout', 'card'] });
  await open(cast.customerB, 'other', { subject: 'General question', channel: 'API' });
  await cast.agent.client.data(AssignTicketDocument, { input: { ticketId: ids.refund, agentId: cast.agent.agent!.id } });
  await cast.agent.client.data(UpdateTicketStatusDocument, { input: { ticketId: ids.other, status: 'RESOLVED' } });
  await cast.customerB.client.data(SendMessageDocument, { input: { ticketId: ids.payout, body: 'My withdrawal to the bank is stuck' } });
  await cast.agent.client.data(SendMessageDocument, { input: { ticketId: ids.login, body: 'Escalate to the identity team', internal: true } });
});
afterAll(() => server.stop());

const list = async (actor: Actor, variables: TicketsQueryVariables) => (await actor.client.data(TicketsDocument, variables)).tickets;
const keysOf = (nodes: { id: string }[]) => nodes.map((node) => Object.keys(ids).find((key) => ids[key] === node.id));

describe('tickets: who sees what', () => {
  it('gives a customer only their own tickets, whatever the filter asks', async () => {
    expect(keysOf((await list(cast.customerA, {})).nodes).sort()).toEqual(['login', 'refund']);
    expect((await list(cast.customerA, { filter: { customerId: cast.customerB.user.id } })).totalCount).toBe(0);
  });

  it('gives staff every ticket, newest first by default', async () => {
    const tickets = await list(cast.agent, {});
    expect(keysOf(tickets.nodes)).toEqual(['other', 'payout', 'login', 'refund']);
    expect(tickets.totalCount).toBe(4);
  });

  it('refuses anonymous callers', async () => {
    await server.anonymous.error('UNAUTHENTICATED', TicketsDocument, {});
  });
});

describe('tickets: filters', () => {
  it.each<[string, TicketsQueryVariables['filter'], string[]]>([
    ['status', { status: ['RESOLVED'] }, ['other']],
    ['priority', { priority: ['URGENT', 'HIGH'] }, ['login', 'refund']],
    ['channel', { channel: ['MOBILE'] }, ['login']],
    ['assignee', { assigneeId: 'ASSIGNEE' }, ['refund']],
    ['unassigned', { unassigned: true }, ['other', 'payout', 'login']],
    ['assigned', { unassigned: false }, ['refund']],
    ['customer', { customerId: 'CUSTOMER_B' }, ['other', 'payout']],
    ['department', { department: 'billing' }, ['refund']],
    ['category', { category: 'payouts' }, ['payout']],
    ['every tag', { tags: ['card'] }, ['payout', 'refund']],
    ['every tag (two)', { tags: ['CARD', 'refund'] }, ['refund']],
    ['created after', { createdAfter: 'NOW' }, []],
    ['created before', { createdBefore: 'NOW' }, ['other', 'payout', 'login', 'refund']],
  ])('filters by %s', async (_name, filter, expected) => {
    const resolved = JSON.parse(
      JSON.stringify(filter)
        .replace('ASSIGNEE', cast.agent.agent!.id)
        .replace('CUSTOMER_B', cast.customerB.user.id)
        .replace('NOW', new Date(Date.now() + 1000).toISOString()),
    );
    expect(keysOf((await list(cast.agent, { filter: resolved })).nodes)).toEqual(expected);
  });

  it('searches subject, description, number and message bodies with stemming', async () => {
    const search = async (text: string, actor = cast.agent) => keysOf((await list(actor, { filter: { search: text } })).nodes).sort();
    expect(await search('refunds')).toEqual(['refund']);
    expect(await search('password resetting')).toEqual(['login']);
    expect(await search('withdrawal bank')).toEqual(['payout']);
    const em = server.app.services.orm.em.fork();
    const number = (await em.findOneOrFail(Ticket, { id: ids.payout })).number;
    expect(await search(number.toLowerCase())).toEqual(['payout']);
    expect(await search('"double charge" -payout')).toEqual(['refund']);
  });

  it('searches internal notes for staff only', async () => {
    const search = async (actor: Actor) => (await list(actor, { filter: { search: 'identity team' } })).totalCount;
    expect(await search(cast.agent)).toBe(1);
    expect(await search(cast.customerA)).toBe(0);
  });

  it('rejects bad filter values with BAD_USER_INPUT', async () => {
    const error = await cast.agent.client.error('BAD_USER_INPUT', TicketsDocument, { filter: { search: 'x'.repeat(201) } });
    expect(error.extensions?.field).toBe('filter.search');
    await cast.agent.client.error('BAD_USER_INPUT', TicketsDocument, { filter: { createdAfter: 'yesterday' } });
  });
});

describe('tickets: order and pagination', () => {
  it.each<[TicketsQueryVariables['orderBy'], string[]]>([
    [{ field: 'CREATED_AT', direction: 'ASC' }, ['refund', 'login', 'payout', 'other']],
    [{ field: 'PRIORITY', direction: 'DESC' }, ['login', 'refund', 'other', 'payout']],
    [{ field: 'PRIORITY', direction: 'ASC' }, ['payout', 'other', 'refund', 'login']],
    [{ field: 'LAST_MESSAGE_AT', direction: 'DESC' }, ['payout', 'other', 'login', 'refund']],
  ])('orders by %j', async (orderBy, expected) => {
    expect(keysOf((await list(cast.agent, { orderBy })).nodes)).toEqual(expected);
  });

  it('pages forward and back with opaque cursors and a stable order', async () => {
    const orderBy = { field: 'PRIORITY', direction: 'DESC' } as const;
    const first = await list(cast.agent, { first: 2, orderBy });
    expect(keysOf(first.nodes)).toEqual(['login', 'refund']);
    expect(first.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    expect(first.edges.map((edge) => edge.cursor)).toEqual([first.pageInfo.startCursor, first.pageInfo.endCursor]);
    const second = await list(cast.agent, { first: 2, after: first.pageInfo.endCursor, orderBy });
    expect(keysOf(second.nodes)).toEqual(['other', 'payout']);
    expect(second.pageInfo.hasNextPage).toBe(false);
    const back = await list(cast.agent, { last: 2, before: second.pageInfo.startCursor, orderBy });
    expect(keysOf(back.nodes)).toEqual(['login', 'refund']);
  });

  it('caps the page size and refuses foreign or broken cursors', async () => {
    await cast.agent.client.error('BAD_USER_INPUT', TicketsDocument, { first: 101 });
    await cast.agent.client.error('BAD_USER_INPUT', TicketsDocument, { first: 1, last: 1 });
    await cast.agent.client.error('BAD_USER_INPUT', TicketsDocument, { after: 'not-a-cursor' });
    const page = await list(cast.agent, { first: 1 });
    // A PRIORITY cursor has two keys like a CREATED_AT one, but a message cursor is something else entirely.
    await cast.agent.client.error('BAD_USER_INPUT', TicketsDocument, { after: Buffer.from('seq:1').toString('base64url') });
    expect(page.nodes).toHaveLength(1);
  });
});

describe('no N+1', () => {
  it('answers the inbox query with a number of statements that does not grow with the page', async () => {
    // 30 more tickets with conversations, from several customers, some assigned (built six at a time).
    const customers = [cast.customerA, cast.customerB];
    const build = async (i: number) => {
      const customer = customers[i % 2];
      const ticket = await open(customer, `bulk${i}`, {});
      await customer.client.data(SendMessageDocument, { input: { ticketId: ticket.id, body: `first ${i}` } });
      await cast.agent.client.data(SendMessageDocument, { input: { ticketId: ticket.id, body: `reply ${i}` } });
      if (i % 3 === 0) await cast.agent.client.data(AssignTicketDocument, { input: { ticketId: ticket.id, agentId: cast.agent.agent!.id } });
    };
    for (let i = 0; i < 30; i += 6) await Promise.all([0, 1, 2, 3, 4, 5].map((j) => build(i + j)));
    const count = async (first: number) => {
      const { result, count } = await server.countQueries(() => cast.admin.client.data(TicketListDocument, { first }));
      expect(result.tickets.nodes).toHaveLength(first);
      return count;
    };
    // Three pages' worth of shapes: the newest three include an assigned ticket, so every loader runs.
    // Not equal to the statement: independent loaders (customers, agents, agents' users) share a
    // batch or not depending on which of the page's reads returns first. Bounded by the loaders,
    // whatever the page size: an N+1 would make it 30 and more.
    const small = await count(3);
    const large = await count(30);
    expect(small).toBeLessThanOrEqual(8);
    expect(large).toBeLessThanOrEqual(8);
    const { result } = await server.countQueries(() => cast.admin.client.data(TicketListDocument, { first: 30 }));
    const withMessages = result.tickets.nodes.find((node) => node.messages.nodes.length === 2)!;
    expect(withMessages.messages.nodes.map((m) => m.author?.name)).toEqual([expect.stringContaining('Customer'), 'Ada Agent']);
  }, 120_000);
});

describe('people read with the page', () => {
  /** The loaders' own reads of users and agents (findReadOnly), as opposed to the session check's join. */
  const loaderReads = (statements: string[]) => statements.filter((sql) => /from "(users|agents)" where "id" in/.test(sql));
  const pageStatement = (statements: string[]) => statements.find((sql) => /from "tickets" as "t0"/.test(sql))!;

  it('brings the customers, assignees and assignees’ users a list reads in its own statement, answering as each ticket alone does', async () => {
    // The inbox query after 'no N+1' built its 30 conversations: customers A and B, Ada assigned to some.
    const { result, statements } = await server.countQueries(() => cast.admin.client.data(TicketListDocument, { first: 30 }));
    expect(result.tickets.nodes).toHaveLength(30);
    expect(pageStatement(statements)).toMatch(/left join "users" as "pc".*left join "agents" as "pa".*left join "users" as "pau"/s);
    // Every author is a customer or an assignee of the page, so no user or agent is read apart.
    expect(loaderReads(statements)).toEqual([]);
    const assigned = result.tickets.nodes.filter((node) => node.assignee);
    expect(assigned.length).toBeGreaterThan(0);
    expect(assigned.length).toBeLessThan(30);
    for (const node of result.tickets.nodes) {
      const { ticket } = await cast.admin.client.data(TicketDocument, { id: node.id });
      expect(node.customer.name).toBe(ticket!.customer.name);
      expect(node.assignee?.user.name ?? null).toBe(ticket!.assignee?.user.name ?? null);
    }
  });

  it('joins only what the query selects, through fragments and edges too', async () => {
    const bare = await server.countQueries(() => cast.admin.client.data(TicketsDocument, { first: 5 }));
    expect(pageStatement(bare.statements)).not.toMatch(/left join/);

    const viaFragment = `query { tickets(first: 5) { edges { node { ...Who } } } } fragment Who on Ticket { customer { name } }`;
    const customersOnly = await server.countQueries(() => cast.admin.client.request(viaFragment, {}));
    expect(customersOnly.result.errors).toBeUndefined();
    expect(pageStatement(customersOnly.statements)).toMatch(/left join "users" as "pc"/);
    expect(pageStatement(customersOnly.statements)).not.toMatch(/"agents"/);
    expect(loaderReads(customersOnly.statements)).toEqual([]);
  });

  it('gives a customer their own tickets’ people, backwards and filtered as well', async () => {
    const query = `query($last: Int) { tickets(last: $last, filter: { status: [OPEN, IN_PROGRESS, WAITING_ON_CUSTOMER, RESOLVED] }) {
      nodes { id customer { id name } assignee { id user { name } } } } }`;
    const { result, statements } = await server.countQueries(() => cast.customerA.client.request(query, { last: 4 }));
    expect(result.errors).toBeUndefined();
    const nodes = (result.data as { tickets: { nodes: { id: string; customer: { id: string }; assignee: { user: { name: string } } | null }[] } }).tickets.nodes;
    expect(nodes.length).toBeGreaterThan(0);
    expect(new Set(nodes.map((node) => node.customer.id))).toEqual(new Set([cast.customerA.user.id]));
    expect(loaderReads(statements)).toEqual([]);
    const refund = nodes.find((node) => node.id === ids.refund);
    if (refund) expect(refund.assignee?.user.name).toBe('Ada Agent');
  });

  it('reads an assignee with its user in one statement wherever agents are loaded by id', async () => {
    const { result, statements } = await server.countQueries(() => cast.customerA.client.data(TicketDocument, { id: ids.refund }));
    expect(result.ticket!.assignee?.user.name).toBe('Ada Agent');
    const agentUserId = cast.agent.user.id;
    expect(statements.filter((sql) => /from agents a join users u/.test(sql))).toHaveLength(1);
    // The user came with the agent: no read of users names them again.
    expect(loaderReads(statements).filter((sql) => sql.includes(agentUserId))).toEqual([]);
  });

  it('keeps full-text search, the filters that take relations and every order working with the joins', async () => {
    const query = `query($filter: TicketFilter, $orderBy: TicketOrder) { tickets(first: 10, filter: $filter, orderBy: $orderBy) {
      nodes { id customer { id } assignee { id user { name } } } } }`;
    const ask = async (filter: Record<string, unknown>, orderBy?: Record<string, unknown>) => {
      const answer = await cast.admin.client.request(query, { filter, orderBy });
      expect(answer.errors).toBeUndefined();
      return (answer.data as { tickets: { nodes: { id: string; customer: { id: string }; assignee: { id: string; user: { name: string } } | null }[] } }).tickets.nodes;
    };
    expect((await ask({ search: 'double charge' })).map((node) => node.id)).toEqual([ids.refund]);
    const mine = await ask({ assigneeId: cast.agent.agent!.id });
    expect(mine.length).toBeGreaterThan(0);
    expect(mine.every((node) => node.assignee?.id === cast.agent.agent!.id && node.assignee.user.name === 'Ada Agent')).toBe(true);
    const theirs = await ask({ customerId: cast.customerB.user.id, unassigned: true });
    expect(theirs.length).toBeGreaterThan(0);
    expect(theirs.every((node) => node.customer.id === cast.customerB.user.id && node.assignee === null)).toBe(true);
    for (const field of ['CREATED_AT', 'PRIORITY', 'LAST_MESSAGE_AT', 'UPDATED_AT']) {
      expect(await ask({}, { field, direction: 'ASC' })).toHaveLength(10);
    }
  });
});

describe('read-only pages', () => {
  it('hold the same tickets, cursors and page info as MikroORM’s own cursor pagination, in both directions', async () => {
    const em = server.app.services.orm.em.fork();
    const orders: QueryOrderMap<Ticket>[][] = [
      [{ createdAt: 'desc' }, { id: 'desc' }],
      [{ priorityRank: 'asc' }, { id: 'asc' }],
    ];
    const names = em
      .getMetadata()
      .get(Ticket.name)
      .props.filter((prop) => !prop.lazy && prop.columnTypes?.[0] !== 'tsvector' && (prop.kind === 'scalar' || prop.kind === 'm:1'))
      .map((prop) => prop.name);
    const comparable = (page: ConnectionShape<Ticket>) => ({
      pageInfo: page.pageInfo,
      edges: page.edges.map((edge) => ({
        cursor: edge.cursor,
        node: Object.fromEntries(names.map((name) => [name, (edge.node as unknown as Record<string, unknown>)[name]])),
      })),
    });
    const references = (value: unknown) => JSON.parse(JSON.stringify(value, (_key, field) => (field && typeof field === 'object' && 'id' in field && !Array.isArray(field) && Object.keys(field).length <= 1 ? field.id : field)));
    for (const orderBy of orders) {
      const first = await paginateReadOnly(em, Ticket, {}, { first: 3 }, orderBy);
      const cases = [{ first: 3 }, { first: 2, after: first.pageInfo.endCursor }, { last: 2 }, { last: 2, before: first.pageInfo.endCursor }, { first: 0 }];
      for (const args of cases) {
        const readOnly = await paginateReadOnly(em, Ticket, {}, args, orderBy);
        const managed = await paginate(em.fork(), Ticket, {}, args, orderBy);
        expect(readOnly.nodes.every((node) => node instanceof Ticket && Object.isFrozen(node))).toBe(true);
        expect(references(comparable(readOnly))).toEqual(references(comparable(managed)));
      }
    }
  });
});
