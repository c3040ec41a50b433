import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import {
  AgentDocument,
  AssigneeLastSeenDocument,
  AssigneeLoadDocument,
  AssigneeProfileDocument,
  AssigneeSkillsDocument,
  AssigneeCapacityDocument,
  AssignTicketDocument,
  AgentsDocument,
  NodeByIdDocument,
  OnAgentStatusChangedDocument,
  SetAgentStatusDocument,
  UpdateAgentDocument,
  UpdateTicketStatusDocument,
} from '../../__generated__/graphql';
import type { GraphQLTestClient } from '../../support/client';
import { createAgentActor, createCast, type Cast } from '../../support/factories';
import { startTestServer, type TestServer } from '../../support/server';
import { connectWs, disposeWsClients, waitFor } from '../../support/ws-client';
import { AgentStatus } from '../../../src/modules/agents/agent-status';
import { assignedNotes, openTicket, routed, uniqueDepartment } from '../routing/helpers';

let server: TestServer;
let cast: Cast;

beforeAll(async () => {
  server = await startTestServer({ redis: true, env: { PRESENCE_GRACE_SECONDS: '3600' } });
  cast = await createCast(server);
});
afterEach(async () => {
  await disposeWsClients();
  await waitFor(() => server.app.services.realtime.stats().streams === 0, 5000, 'streams to close');
});
afterAll(() => server.stop());

describe('agents', () => {
  it('filters by department, status and skill (case-insensitively), with the load of each', async () => {
    const department = uniqueDepartment('team');
    const ada = await createAgentActor(server, { department, skills: ['refunds', 'vip'], status: AgentStatus.AVAILABLE, name: 'Ada' });
    const bob = await createAgentActor(server, { department, skills: ['shipping'], status: AgentStatus.BUSY, name: 'Bob' });
    await createAgentActor(server, { department: uniqueDepartment('elsewhere'), skills: ['refunds'], status: AgentStatus.AVAILABLE });
    await openTicket(cast.customerA, { department });

    const all = (await cast.supervisor.client.data(AgentsDocument, { filter: { department } })).agents;
    expect(all.totalCount).toBe(2);
    expect(all.nodes.map((agent) => [agent.user.name, agent.status, agent.activeTicketCount])).toEqual([
      ['Ada', 'AVAILABLE', 1],
      ['Bob', 'BUSY', 0],
    ]);
    const refunds = (await cast.agent.client.data(AgentsDocument, { filter: { department, skill: 'REFUNDS' } })).agents;
    expect(refunds.nodes.map((agent) => agent.id)).toEqual([ada.agent!.id]);
    const busy = (await cast.admin.client.data(AgentsDocument, { filter: { department, status: ['BUSY', 'AWAY'] } })).agents;
    expect(busy.nodes.map((agent) => agent.id)).toEqual([bob.agent!.id]);
  });

  it('pages forward with cursors', async () => {
    const first = (await cast.admin.client.data(AgentsDocument, { first: 2 })).agents;
    expect(first.nodes).toHaveLength(2);
    expect(first.pageInfo.hasNextPage).toBe(true);
    const next = (await cast.admin.client.data(AgentsDocument, { first: 2, after: first.pageInfo.endCursor })).agents;
    expect(next.nodes[0].id).not.toBe(first.nodes[0].id);
  });

  it('answers a page of agents with their users and loads in a constant number of statements', async () => {
    const department = uniqueDepartment('many');
    for (let i = 0; i < 12; i++) await createAgentActor(server, { department, status: AgentStatus.AVAILABLE });
    for (let i = 0; i < 6; i++) await openTicket(cast.customerA, { department });
    const count = async (first: number) => (await server.countQueries(() => cast.admin.client.data(AgentsDocument, { first, filter: { department } }))).count;
    const small = await count(2);
    const large = await count(12);
    expect(large).toBe(small);
    // the session check, the page, totalCount, the users, the active ticket counts
    expect(large).toBeLessThanOrEqual(5);
  });
});

describe('setAgentStatus', () => {
  it('sets the viewer’s own status, records them as seen, and streams the change to staff', async () => {
    const agent = await createAgentActor(server);
    const watch = connectWs(server.wsUrl, { token: cast.supervisor.token }).subscribe(OnAgentStatusChangedDocument);
    await waitFor(() => server.app.services.realtime.stats().streams === 1);
    const { setAgentStatus } = await agent.client.data(SetAgentStatusDocument, { status: 'AWAY' });
    expect(setAgentStatus).toMatchObject({ id: agent.agent!.id, status: 'AWAY' });
    expect(Date.now() - new Date(setAgentStatus.lastSeenAt!).getTime()).toBeLessThan(5000);
    const { agentStatusChanged } = await watch.waitForMessage();
    expect(agentStatusChanged).toEqual({ id: agent.agent!.id, status: 'AWAY', user: { id: agent.user.id, name: agent.user.name } });
  });

  it('publishes nothing when the status does not change', async () => {
    const agent = await createAgentActor(server, { status: AgentStatus.BUSY });
    const watch = connectWs(server.wsUrl, { token: cast.admin.token }).subscribe(OnAgentStatusChangedDocument);
    await waitFor(() => server.app.services.realtime.stats().streams === 1);
    await agent.client.data(SetAgentStatusDocument, { status: 'BUSY' });
    await agent.client.data(SetAgentStatusDocument, { status: 'AWAY' });
    expect((await watch.waitForCount(1)).map((event) => event.agentStatusChanged.status)).toEqual(['AWAY']);
    expect(watch.data).toHaveLength(1);
  });

  it('offers an agent becoming AVAILABLE the tickets waiting for their department', async () => {
    const department = uniqueDepartment('waiting');
    const agent = await createAgentActor(server, { department, maxConcurrentTickets: 2 });
    const tickets = [await openTicket(cast.customerA, { department }), await openTicket(cast.customerB, { department }), await openTicket(cast.customerA, { department })];
    const { setAgentStatus } = await agent.client.data(SetAgentStatusDocument, { status: 'AVAILABLE' });
    expect(setAgentStatus.activeTicketCount).toBe(2);
    await agent.client.data(UpdateTicketStatusDocument, { input: { ticketId: tickets[0], status: 'CLOSED' } });
    const { agent: after } = await cast.supervisor.client.data(AgentDocument, { id: agent.agent!.id });
    expect(after!.activeTicketCount).toBe(2);
  });
});

describe('updateAgent', () => {
  it('deactivating an agent takes them OFFLINE and hands their open tickets back, even ones assigned while OFFLINE', async () => {
    const department = uniqueDepartment('leaver');
    const leaver = await createAgentActor(server, { department, status: AgentStatus.AVAILABLE, name: 'Lee Leaver' });
    const routedTicket = await openTicket(cast.customerA, { department });
    await leaver.client.data(SetAgentStatusDocument, { status: 'OFFLINE' });
    const byHand = await openTicket(cast.customerB, { department });
    await cast.supervisor.client.data(AssignTicketDocument, { input: { ticketId: byHand, agentId: leaver.agent!.id } });
    await cast.supervisor.client.data(AssignTicketDocument, { input: { ticketId: routedTicket, agentId: leaver.agent!.id } });
    const successor = await createAgentActor(server, { department, status: AgentStatus.AVAILABLE });

    await cast.admin.client.data(UpdateAgentDocument, { input: { id: leaver.agent!.id, active: false } });
    const { agent } = await cast.supervisor.client.data(AgentDocument, { id: leaver.agent!.id });
    expect(agent).toMatchObject({ status: 'OFFLINE', active: false, activeTicketCount: 0 });
    for (const ticketId of [routedTicket, byHand]) {
      const ticket = await routed(cast.supervisor, ticketId);
      expect(ticket.assignee?.id).toBe(successor.agent!.id);
      expect(assignedNotes(ticket)).toContain('handed back: Lee Leaver was deactivated');
    }
  });

  it('raising an agent’s capacity offers them the queue', async () => {
    const department = uniqueDepartment('capacity');
    const agent = await createAgentActor(server, { department, status: AgentStatus.AVAILABLE, maxConcurrentTickets: 1 });
    await openTicket(cast.customerA, { department });
    const waiting = await openTicket(cast.customerB, { department });
    expect((await routed(cast.supervisor, waiting)).assignee).toBeNull();
    await cast.admin.client.data(UpdateAgentDocument, { input: { id: agent.agent!.id, maxConcurrentTickets: 2 } });
    expect((await routed(cast.supervisor, waiting)).assignee?.id).toBe(agent.agent!.id);
  });
});

describe('an assignee seen by their customer', () => {
  it('shows neither their load nor when they were last seen', async () => {
    const department = uniqueDepartment('private');
    const agent = await createAgentActor(server, { department });
    await agent.client.data(SetAgentStatusDocument, { status: 'AVAILABLE' });
    const ticketId = await openTicket(cast.customerA, { department });

    expect((await cast.customerA.client.data(AssigneeLastSeenDocument, { id: ticketId })).ticket!.assignee).toEqual({ id: agent.agent!.id, lastSeenAt: null });
    const load = await cast.customerA.client.request(AssigneeLoadDocument, { id: ticketId });
    expect(load.errors?.[0].extensions?.code).toBe('FORBIDDEN');

    expect((await cast.supervisor.client.data(AssigneeLastSeenDocument, { id: ticketId })).ticket!.assignee!.lastSeenAt).not.toBeNull();
    expect((await cast.supervisor.client.data(AssigneeLoadDocument, { id: ticketId })).ticket!.assignee!.activeTicketCount).toBe(1);
  });

  it('shows their name, department, languages and status, but not what routing matches them on', async () => {
    const department = uniqueDepartment('routing-private');
    const agent = await createAgentActor(server, { department, skills: ['refunds'], maxConcurrentTickets: 3, name: 'Rita Router' });
    await agent.client.data(SetAgentStatusDocument, { status: 'AVAILABLE' });
    const ticketId = await openTicket(cast.customerA, { department });

    expect((await cast.customerA.client.data(AssigneeProfileDocument, { id: ticketId })).ticket!.assignee).toMatchObject({
      id: agent.agent!.id,
      department,
      status: 'AVAILABLE',
      user: { name: 'Rita Router' },
    });
    for (const document of [AssigneeSkillsDocument, AssigneeCapacityDocument]) {
      const answer = await cast.customerA.client.request(document, { id: ticketId });
      expect(answer.errors?.map((error) => error.extensions?.code)).toEqual(['FORBIDDEN']);
      expect(JSON.stringify(answer)).not.toMatch(/refunds|"maxConcurrentTickets":3/);
    }
    expect((await cast.agent.client.data(AssigneeSkillsDocument, { id: ticketId })).ticket!.assignee!.skills).toEqual(['refunds']);
    expect((await cast.supervisor.client.data(AssigneeCapacityDocument, { id: ticketId })).ticket!.assignee!.maxConcurrentTickets).toBe(3);
  });
});

// ---------------------------------------------------------------- who may do what

type Actor = 'anonymous' | 'customerA' | 'agent' | 'supervisor' | 'admin';
type Outcome = 'ok' | 'UNAUTHENTICATED' | 'FORBIDDEN' | 'null';
const ACTORS: Actor[] = ['anonymous', 'customerA', 'agent', 'supervisor', 'admin'];
const staffOnly: Record<Actor, Outcome> = { anonymous: 'UNAUTHENTICATED', customerA: 'FORBIDDEN', agent: 'ok', supervisor: 'ok', admin: 'ok' };
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDocument = TypedDocumentNode<any, any>;

const operations: { name: string; expect: Record<Actor, Outcome>; run: (client: GraphQLTestClient) => Promise<{ data?: unknown; errors?: readonly { extensions?: Record<string, unknown> }[] }> }[] = [
  { name: 'agents', expect: staffOnly, run: (client) => client.request(AgentsDocument, {}) },
  { name: 'agent(id)', expect: staffOnly, run: (client) => client.request(AgentDocument, { id: cast.agent.agent!.id }) },
  { name: 'setAgentStatus', expect: staffOnly, run: (client) => client.request(SetAgentStatusDocument, { status: 'BUSY' }) },
  {
    name: 'node(agent)',
    expect: { anonymous: 'null', customerA: 'null', agent: 'ok', supervisor: 'ok', admin: 'ok' },
    run: (client) => client.request(NodeByIdDocument, { id: cast.agent.agent!.id }),
  },
];

describe.each(operations)('$name', (operation) => {
  it.each(ACTORS)('as %s', async (actor) => {
    const client = actor === 'anonymous' ? server.anonymous : cast[actor].client;
    const result = await operation.run(client);
    const expected = operation.expect[actor];
    if (expected === 'ok') {
      expect(result.errors).toBeUndefined();
      expect(Object.values(result.data as object)[0]).not.toBeNull();
    } else if (expected === 'null') {
      expect(result.errors).toBeUndefined();
      expect(Object.values(result.data as object)[0]).toBeNull();
    } else {
      expect(result.errors?.[0]?.extensions?.code).toBe(expected);
    }
  });
});

describe('agentStatusChanged', () => {
  it.each(ACTORS)('as %s', async (actor) => {
    const token = actor === 'anonymous' ? undefined : cast[actor].token;
    const sub = connectWs(server.wsUrl, { token }).subscribe(OnAgentStatusChangedDocument as AnyDocument);
    const outcome = await waitFor(
      () => (sub.errors.length ? String(sub.errors[0].extensions?.code) : server.app.services.realtime.stats().streams === 1 ? 'ok' : undefined),
      5000,
      'an error or a live stream',
    );
    expect(outcome).toBe(staffOnly[actor]);
  });

  it('stops a subscriber who is no longer staff at the next event', async () => {
    const demoted = await createAgentActor(server);
    const sub = connectWs(server.wsUrl, { token: demoted.token }).subscribe(OnAgentStatusChangedDocument);
    await waitFor(() => server.app.services.realtime.stats().streams === 1);
    await server.app.services.orm.em.fork().getConnection().execute(`update users set role = 'CUSTOMER' where id = ?`, [demoted.user.id]);
    await cast.agent.client.data(SetAgentStatusDocument, { status: 'AWAY' });
    expect((await sub.waitForError())[0].extensions?.code).toBe('FORBIDDEN');
    expect(sub.data).toEqual([]);
  });
});
