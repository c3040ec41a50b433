import {
  AssignTicketDocument,
  CreateTicketDocument,
  QueueDocument,
  SendMessageDocument,
  SetAgentStatusDocument,
  UpdateTicketPriorityDocument,
  UpdateAgentDocument,
  UpdateTicketDocument,
  UpdateTicketStatusDocument,
} from '../../__generated__/graphql';
import { AgentStatus } from '../../../src/modules/agents/agent-status';
import { Ticket } from '../../../src/modules/tickets/ticket.entity';
import { ticketTransaction } from '../../../src/modules/tickets/ticket.service';
import { createRequestContext } from '../../../src/server/context';
import { createAgentActor, createCast, createCustomer, createSupervisor, type Actor, type Cast } from '../../support/factories';
import { startTestServer, type TestServer } from '../../support/server';
import { assignedNotes, availableAgent, openTicket, routed, uniqueDepartment } from './helpers';

let server: TestServer;
let cast: Cast;
let supervisor: Actor;

beforeAll(async () => {
  // A long grace period: presence must not take this file's AVAILABLE agents (who never connect) OFFLINE.
  server = await startTestServer({ env: { PRESENCE_GRACE_SECONDS: '3600' } });
  cast = await createCast(server);
  supervisor = await createSupervisor(server);
});
afterAll(() => server.stop());

describe('auto-assignment when a ticket is created', () => {
  it('gives the ticket to the skilled agent and says why in the ASSIGNED note', async () => {
    const department = uniqueDepartment('billing');
    await availableAgent(server, { department, skills: ['shipping'], maxConcurrentTickets: 3 });
    const refunds = await availableAgent(server, { department, skills: ['Refunds'], maxConcurrentTickets: 3 });
    const ticketId = await openTicket(cast.customerA, { department, category: 'refunds' });

    const ticket = await routed(supervisor, ticketId);
    expect(ticket).toMatchObject({ status: 'IN_PROGRESS', assignee: { id: refunds.agent!.id }, queuePosition: null });
    expect(assignedNotes(ticket)).toEqual(['auto-assigned: skill refunds, 1 of 3 active']);
    expect(ticket.history.find((event) => event.kind === 'ASSIGNED')!.actor).toBeNull();
  });

  it('only considers agents of the ticket’s department, and anyone for a ticket without one', async () => {
    const department = uniqueDepartment('sales');
    const outsider = await availableAgent(server, { department: uniqueDepartment('other'), skills: ['refunds'] });
    const insider = await availableAgent(server, { department });
    const ticketId = await openTicket(cast.customerA, { department, category: 'refunds' });
    expect((await routed(supervisor, ticketId)).assignee?.id).toBe(insider.agent!.id);
    expect((await routed(supervisor, ticketId)).assignee?.id).not.toBe(outsider.agent!.id);

    const anyone = await openTicket(cast.customerA, { category: 'refunds' });
    expect((await routed(supervisor, anyone)).assignee).not.toBeNull();
  });

  it('skips agents who are not AVAILABLE, deactivated or full', async () => {
    const department = uniqueDepartment('support');
    await availableAgent(server, { department, status: AgentStatus.BUSY });
    await availableAgent(server, { department, status: AgentStatus.AWAY });
    await availableAgent(server, { department, status: AgentStatus.OFFLINE });
    const deactivated = await availableAgent(server, { department, skills: ['vip'] });
    await cast.admin.client.data(UpdateAgentDocument, { input: { id: deactivated.agent!.id, active: false } });
    const full = await availableAgent(server, { department, maxConcurrentTickets: 1 });
    const first = await openTicket(cast.customerA, { department, tags: ['vip'] });
    expect((await routed(supervisor, first)).assignee?.id).toBe(full.agent!.id);

    const second = await openTicket(cast.customerA, { department });
    expect(await routed(supervisor, second)).toMatchObject({ status: 'OPEN', assignee: null, queuePosition: 1 });
  });

  it('prefers an agent who speaks the ticket’s language when skills tie', async () => {
    const department = uniqueDepartment('intl');
    await availableAgent(server, { department, skills: ['refunds'], languages: ['en'], maxConcurrentTickets: 3 });
    const french = await availableAgent(server, { department, skills: ['refunds'], languages: ['en', 'fr'], maxConcurrentTickets: 3 });
    const ticketId = await openTicket(cast.customerA, { department, category: 'refunds', language: 'FR' });
    const ticket = await routed(supervisor, ticketId);
    expect(ticket.assignee?.id).toBe(french.agent!.id);
    expect(assignedNotes(ticket)).toEqual(['auto-assigned: skill refunds, language fr, 1 of 3 active']);
  });

  it('rejects a language that is not a language tag', async () => {
    const error = await cast.customerA.client.error('BAD_USER_INPUT', CreateTicketDocument, {
      input: { subject: 'x', description: 'y', language: 'french please' },
    });
    expect(error.extensions?.field).toBe('language');
  });

  it('balances by load, then by who waited longest since their last assignment', async () => {
    const department = uniqueDepartment('load');
    const a = await availableAgent(server, { department, maxConcurrentTickets: 5 });
    const b = await availableAgent(server, { department, maxConcurrentTickets: 5 });
    const assignees: string[] = [];
    for (let i = 0; i < 4; i++) assignees.push((await routed(supervisor, await openTicket(cast.customerA, { department }))).assignee!.id);
    // Never-assigned agents go first (by id), then the load alternates.
    expect(assignees.filter((id) => id === a.agent!.id)).toHaveLength(2);
    expect(assignees.filter((id) => id === b.agent!.id)).toHaveLength(2);
    expect(assignees[0]).not.toBe(assignees[1]);
  });
});

describe('the queue', () => {
  it('orders waiting tickets most urgent first, then oldest, and tells each its place', async () => {
    const department = uniqueDepartment('queue');
    const agent = await createAgentActor(server, { department, maxConcurrentTickets: 1, status: AgentStatus.AWAY });
    const low = await openTicket(cast.customerA, { department, priority: 'LOW' });
    const normal1 = await openTicket(cast.customerA, { department });
    const urgent = await openTicket(cast.customerB, { department, priority: 'URGENT' });
    const normal2 = await openTicket(cast.customerB, { department });
    const other = await openTicket(cast.customerB, { department: uniqueDepartment('elsewhere') });

    const positions = async () => Promise.all([urgent, normal1, normal2, low].map(async (id) => (await routed(supervisor, id)).queuePosition));
    expect(await positions()).toEqual([1, 2, 3, 4]);
    // Another department's queue is separate.
    expect((await routed(supervisor, other)).queuePosition).toBe(1);
    // The customer sees their own ticket's place.
    expect((await routed(cast.customerA, normal1)).queuePosition).toBe(2);

    // The agent becomes AVAILABLE: the head of the queue is theirs; everyone moves up.
    await agent.client.data(SetAgentStatusDocument, { status: 'AVAILABLE' });
    expect((await routed(supervisor, urgent)).assignee?.id).toBe(agent.agent!.id);
    expect(await positions()).toEqual([null, 1, 2, 3]);

    // Resolving frees capacity: the next in line is assigned in the same transaction.
    await agent.client.data(UpdateTicketStatusDocument, { input: { ticketId: urgent, status: 'RESOLVED' } });
    expect((await routed(supervisor, normal1)).assignee?.id).toBe(agent.agent!.id);
    expect(await positions()).toEqual([null, null, 1, 2]);

    // Escalating a waiting ticket moves it up.
    await supervisor.client.data(UpdateTicketPriorityDocument, { input: { ticketId: low, priority: 'HIGH' } });
    expect(await positions()).toEqual([null, null, 2, 1]);
  });

  it('answers queue positions for a whole list in one statement', async () => {
    const department = uniqueDepartment('batch');
    for (let i = 0; i < 5; i++) await openTicket(cast.customerA, { department });
    const { count, result } = await server.countQueries(() => supervisor.client.data(QueueDocument, { first: 50 }));
    expect(result.tickets.nodes.every((ticket) => ticket.queuePosition! >= 1)).toBe(true);
    // the page, and one batched queue-position statement
    expect(count).toBeLessThanOrEqual(3);
  });
});

describe('capacity freeing up', () => {
  it('assigns from the queue when a ticket is reassigned away or closed', async () => {
    const department = uniqueDepartment('free');
    const agent = await availableAgent(server, { department, maxConcurrentTickets: 1 });
    const other = await createAgentActor(server, { department, status: AgentStatus.BUSY });
    const first = await openTicket(cast.customerA, { department });
    const waiting = await openTicket(cast.customerB, { department });
    expect((await routed(supervisor, waiting)).assignee).toBeNull();

    await supervisor.client.data(AssignTicketDocument, { input: { ticketId: first, agentId: other.agent!.id } });
    expect((await routed(supervisor, waiting)).assignee?.id).toBe(agent.agent!.id);
  });

  it('routes a ticket reopened without an agent, and one a customer brings back by writing', async () => {
    const department = uniqueDepartment('reopen');
    const ticketId = await openTicket(cast.customerA, { department });
    await supervisor.client.data(UpdateTicketStatusDocument, { input: { ticketId, status: 'RESOLVED' } });
    const agent = await availableAgent(server, { department });
    await cast.customerA.client.data(UpdateTicketStatusDocument, { input: { ticketId, status: 'OPEN' } });
    expect((await routed(supervisor, ticketId)).assignee?.id).toBe(agent.agent!.id);

    const waitingOnCustomer = await openTicket(cast.customerB, { department: uniqueDepartment('nobody') });
    await supervisor.client.data(UpdateTicketStatusDocument, { input: { ticketId: waitingOnCustomer, status: 'WAITING_ON_CUSTOMER' } });
    await cast.customerB.client.data(SendMessageDocument, { input: { ticketId: waitingOnCustomer, body: 'Any news?' } });
    expect(await routed(supervisor, waitingOnCustomer)).toMatchObject({ status: 'OPEN', queuePosition: 1 });

  });

  it('routes a waiting ticket moved to a department with room', async () => {
    const ticketId = await openTicket(cast.customerA, { department: uniqueDepartment('nobody') });
    expect(await routed(supervisor, ticketId)).toMatchObject({ status: 'OPEN', assignee: null });
    const department = uniqueDepartment('somebody');
    const agent = await availableAgent(server, { department });
    await supervisor.client.data(UpdateTicketDocument, { input: { ticketId, department } });
    expect(await routed(supervisor, ticketId)).toMatchObject({ status: 'IN_PROGRESS', assignee: { id: agent.agent!.id } });
  });

  it('routes a ticket staff set back to OPEN without an agent', async () => {
    const department = uniqueDepartment('back');
    const ticketId = await openTicket(cast.customerA, { department });
    await supervisor.client.data(UpdateTicketStatusDocument, { input: { ticketId, status: 'WAITING_ON_CUSTOMER' } });
    // Appears straight in the database: no routing event of its own.
    const agent = await availableAgent(server, { department });
    await supervisor.client.data(UpdateTicketStatusDocument, { input: { ticketId, status: 'OPEN' } });
    expect((await routed(supervisor, ticketId)).assignee?.id).toBe(agent.agent!.id);
  });
});

describe('an agent going OFFLINE', () => {
  it('hands their open tickets to the next agent, with a note and a SYSTEM message for the customer', async () => {
    const department = uniqueDepartment('handback');
    const leaving = await availableAgent(server, { department, name: 'Lena Leaving', maxConcurrentTickets: 3 });
    const ticketId = await openTicket(cast.customerA, { department });
    expect((await routed(supervisor, ticketId)).assignee?.id).toBe(leaving.agent!.id);
    const staying = await availableAgent(server, { department, name: 'Sam Staying', maxConcurrentTickets: 3 });

    const { setAgentStatus } = await leaving.client.data(SetAgentStatusDocument, { status: 'OFFLINE' });
    expect(setAgentStatus).toMatchObject({ status: 'OFFLINE', activeTicketCount: 0 });

    const ticket = await routed(cast.customerA, ticketId);
    expect(ticket).toMatchObject({ status: 'IN_PROGRESS', assignee: { id: staying.agent!.id } });
    expect(assignedNotes(ticket)).toEqual([
      'auto-assigned: least busy, 1 of 3 active',
      'handed back: Lena Leaving went offline',
      'auto-assigned: least busy, 1 of 3 active',
    ]);
    expect(ticket.messages.nodes.at(-1)).toMatchObject({
      authorKind: 'SYSTEM',
      kind: 'SYSTEM',
      body: 'Lena Leaving is no longer available. Sam Staying has taken over your conversation.',
    });
  });

  it('puts tickets nobody can take back in the queue', async () => {
    const department = uniqueDepartment('alone');
    const leaving = await availableAgent(server, { department, name: 'Olly Only' });
    const ticketId = await openTicket(cast.customerA, { department });
    await leaving.client.data(SetAgentStatusDocument, { status: 'OFFLINE' });
    const ticket = await routed(supervisor, ticketId);
    expect(ticket).toMatchObject({ status: 'OPEN', assignee: null, queuePosition: 1 });
    expect(ticket.messages.nodes.at(-1)!.body).toBe('Olly Only is no longer available. The next available agent will take over your conversation.');
  });
});

describe('an agent going OFFLINE with many tickets', () => {
  it('hands the most urgent to whoever has room, counting each assignment, and queues the rest with a message each', async () => {
    const department = uniqueDepartment('handback-many');
    const leaving = await availableAgent(server, { department, name: 'Mo Many', maxConcurrentTickets: 6 });
    const priorities = ['LOW', 'URGENT', 'NORMAL', 'HIGH', 'LOW', 'URGENT'] as const;
    const ticketIds: string[] = [];
    for (const priority of priorities) ticketIds.push(await openTicket(cast.customerA, { department, priority }));
    const staying = await availableAgent(server, { department, name: 'Ria Room', maxConcurrentTickets: 3 });

    await leaving.client.data(SetAgentStatusDocument, { status: 'OFFLINE' });

    const tickets = await Promise.all(ticketIds.map((id) => routed(supervisor, id)));
    const taken = tickets.filter((ticket) => ticket.assignee?.id === staying.agent!.id);
    // Three slots: both URGENT tickets and the HIGH one; each try counted the ones before it.
    expect(taken.map((ticket) => ticket.priority).sort()).toEqual(['HIGH', 'URGENT', 'URGENT']);
    const waiting = tickets.filter((ticket) => !ticket.assignee);
    expect(waiting.map((ticket) => [ticket.priority, ticket.status])).toEqual([
      ['LOW', 'OPEN'],
      ['NORMAL', 'OPEN'],
      ['LOW', 'OPEN'],
    ]);
    expect(waiting.map((ticket) => ticket.queuePosition)).toEqual([2, 1, 3]);
    for (const ticket of tickets) {
      const handedBack = ticket.history.filter((event) => event.kind === 'ASSIGNED' && event.note === 'handed back: Mo Many went offline');
      expect(handedBack).toHaveLength(1);
      expect(ticket.messages.nodes.filter((message) => message.kind === 'SYSTEM').map((message) => message.body)).toEqual([
        ticket.assignee
          ? 'Mo Many is no longer available. Ria Room has taken over your conversation.'
          : 'Mo Many is no longer available. The next available agent will take over your conversation.',
      ]);
    }
  });

  it('writes the assignment of a waiting ticket that another EntityManager of the transaction loaded', async () => {
    // The hand-back changes each ticket in a fork of its own; routing must still write its assignment.
    const department = uniqueDepartment('fork');
    const ticketId = await openTicket(cast.customerA, { department });
    expect(await routed(supervisor, ticketId)).toMatchObject({ status: 'OPEN', assignee: null });
    const agent = await availableAgent(server, { department });

    const app = server.app.services;
    await ticketTransaction(createRequestContext(app, null, 'test'), async (work) => {
      const fork = work.em.fork({ clear: true, keepTransactionContext: true });
      work.changes.needsRouting.push(await fork.findOneOrFail(Ticket, { id: ticketId }));
    });
    expect(await routed(supervisor, ticketId)).toMatchObject({ status: 'IN_PROGRESS', assignee: { id: agent.agent!.id } });
  });
});

describe('AUTO_ASSIGN=false', () => {
  let manual: TestServer;
  beforeAll(async () => {
    manual = await startTestServer({ env: { AUTO_ASSIGN: 'false', PRESENCE_GRACE_SECONDS: '3600' } });
  });
  afterAll(() => manual.stop());

  it('leaves tickets queued for manual assignment', async () => {
    const customer = await createCustomer(manual);
    const agent = await availableAgent(manual);
    const lead = await createSupervisor(manual);
    const ticketId = await openTicket(customer);
    expect(await routed(lead, ticketId)).toMatchObject({ status: 'OPEN', assignee: null, queuePosition: 1 });
    await lead.client.data(AssignTicketDocument, { input: { ticketId, agentId: agent.agent!.id } });
    expect(await routed(lead, ticketId)).toMatchObject({ status: 'IN_PROGRESS', queuePosition: null });
  });
});
