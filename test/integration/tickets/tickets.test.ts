import {
  AssignTicketDocument,
  BulkUpdateTicketsDocument,
  CreateTicketDocument,
  RateTicketDocument,
  SendMessageDocument,
  TicketByNumberDocument,
  TicketDocument,
  TicketHistoryDocument,
  TicketsDocument,
  UpdateTicketDocument,
  UpdateTicketPriorityDocument,
  UpdateTicketStatusDocument,
  type CreateTicketInput,
} from '../../__generated__/graphql';
import { createCast, type Actor, type Cast } from '../../support/factories';
import { startTestServer, type TestServer } from '../../support/server';

let server: TestServer;
let cast: Cast;

beforeAll(async () => {
  server = await startTestServer();
  cast = await createCast(server);
});
afterAll(() => server.stop());

async function openTicket(actor: Actor, input: Partial<CreateTicketInput> = {}) {
  const { createTicket } = await actor.client.data(CreateTicketDocument, {
    input: { subject: 'Payout missing', description: 'My weekly payout did not arrive.', ...input },
  });
  return createTicket.ticket;
}

describe('createTicket', () => {
  it('opens an OPEN ticket with a TKT number, a CREATED event and the customer as owner', async () => {
    const ticket = await openTicket(cast.customerA, { tags: ['Payout', 'payout', 'urgent '], category: 'payments', priority: 'HIGH' });
    expect(ticket).toMatchObject({
      status: 'OPEN',
      priority: 'HIGH',
      channel: 'WEB',
      category: 'payments',
      tags: ['payout', 'urgent'],
      messageCount: 0,
      unreadCount: 0,
      customer: { id: cast.customerA.user.id, email: cast.customerA.user.email },
      assignee: null,
    });
    expect(ticket.number).toMatch(/^TKT-\d{8}-\d{5}$/);
    expect(ticket.number.slice(4, 12)).toBe(new Date().toISOString().slice(0, 10).replaceAll('-', ''));
    expect(ticket.history).toEqual([expect.objectContaining({ kind: 'CREATED', toStatus: 'OPEN', actor: { id: cast.customerA.user.id } })]);
  });

  it('numbers concurrent tickets uniquely and consecutively', async () => {
    const tickets = await Promise.all(Array.from({ length: 12 }, (_, i) => openTicket(i % 2 ? cast.customerA : cast.customerB)));
    const sequences = tickets.map((ticket) => Number(ticket.number.slice(-5))).sort((a, b) => a - b);
    expect(new Set(sequences).size).toBe(12);
    expect(sequences[11] - sequences[0]).toBe(11);
  });

  it.each([
    ['subject', { subject: '' }],
    ['subject', { subject: 'x'.repeat(201) }],
    ['description', { description: 'x'.repeat(5001) }],
    ['tags', { tags: Array.from({ length: 21 }, (_, i) => `t${i}`) }],
    ['tags', { tags: ['x'.repeat(51)] }],
  ])('rejects a bad %s with BAD_USER_INPUT naming it', async (field, input) => {
    const error = await cast.customerA.client.error('BAD_USER_INPUT', CreateTicketDocument, {
      input: { subject: 'Fine', description: 'Fine', ...input },
    });
    expect(String(error.extensions?.field)).toMatch(new RegExp(`^${field}`));
  });

  it('needs a signed-in user', async () => {
    await server.anonymous.error('UNAUTHENTICATED', CreateTicketDocument, { input: { subject: 'x', description: 'y' } });
  });

  it('lets staff open a ticket on behalf of a customer, but not customers for others', async () => {
    const { createTicket } = await cast.agent.client.data(CreateTicketDocument, {
      input: { subject: 'Phoned in', description: 'Called about login', channel: 'API', customerId: cast.customerB.user.id },
    });
    expect(createTicket.ticket.customer.id).toBe(cast.customerB.user.id);
    await cast.customerA.client.error('FORBIDDEN', CreateTicketDocument, {
      input: { subject: 'x', description: 'y', customerId: cast.customerB.user.id },
    });
  });
});

describe('reading tickets', () => {
  it('answers NOT_FOUND for another customer’s ticket, exactly as for a missing one', async () => {
    const ticket = await openTicket(cast.customerA);
    const other = await cast.customerB.client.error('NOT_FOUND', TicketDocument, { id: ticket.id });
    const missing = await cast.customerB.client.error('NOT_FOUND', TicketDocument, { id: 'tkt_00000000000000000000000000' });
    expect(other.message).toBe(missing.message);
    await cast.customerB.client.error('NOT_FOUND', TicketByNumberDocument, { number: ticket.number });
    expect((await cast.customerA.client.data(TicketByNumberDocument, { number: ticket.number.toLowerCase() })).ticketByNumber?.id).toBe(ticket.id);
  });

  it('shows staff the customer’s email and other customers nothing of it', async () => {
    const ticket = await openTicket(cast.customerA);
    const { ticket: seen } = await cast.agent.client.data(TicketDocument, { id: ticket.id });
    expect(seen?.customer.email).toBe(cast.customerA.user.email);
  });
});

describe('ticket workflow through the API', () => {
  it('assignment starts work, an agent reply waits on the customer, a customer reply resumes, resolution and reopening', async () => {
    const ticket = await openTicket(cast.customerA);
    const { assignTicket } = await cast.agent.client.data(AssignTicketDocument, { input: { ticketId: ticket.id, agentId: cast.agent.agent!.id } });
    expect(assignTicket.ticket).toMatchObject({ status: 'IN_PROGRESS', assignee: { id: cast.agent.agent!.id } });

    const reply = await cast.agent.client.data(SendMessageDocument, { input: { ticketId: ticket.id, body: 'Looking into it' } });
    expect(reply.sendMessage.message.ticket.status).toBe('WAITING_ON_CUSTOMER');
    const note = await cast.agent.client.data(SendMessageDocument, { input: { ticketId: ticket.id, body: 'Check ledger', internal: true } });
    expect(note.sendMessage.message.ticket.status).toBe('WAITING_ON_CUSTOMER');

    const answer = await cast.customerA.client.data(SendMessageDocument, { input: { ticketId: ticket.id, body: 'Thanks, still waiting' } });
    expect(answer.sendMessage.message.ticket.status).toBe('IN_PROGRESS');

    const resolved = await cast.agent.client.data(UpdateTicketStatusDocument, { input: { ticketId: ticket.id, status: 'RESOLVED' } });
    expect(resolved.updateTicketStatus.ticket.resolvedAt).not.toBeNull();

    const reopened = await cast.customerA.client.data(SendMessageDocument, { input: { ticketId: ticket.id, body: 'It happened again' } });
    expect(reopened.sendMessage.message.ticket.status).toBe('IN_PROGRESS');

    const { ticket: after } = await cast.agent.client.data(TicketDocument, { id: ticket.id });
    expect(after).toMatchObject({ resolvedAt: null, closedAt: null, messageCount: 4 });
    expect(after?.firstResponseAt).not.toBeNull();
    expect((await cast.customerA.client.data(TicketDocument, { id: ticket.id })).ticket?.messageCount).toBe(3);

    const { ticket: history } = await cast.agent.client.data(TicketHistoryDocument, { id: ticket.id });
    expect(history!.history.map((event) => [event.kind, event.fromStatus, event.toStatus])).toEqual([
      ['CREATED', null, 'OPEN'],
      ['ASSIGNED', null, null],
      ['STATUS_CHANGED', 'OPEN', 'IN_PROGRESS'],
      ['STATUS_CHANGED', 'IN_PROGRESS', 'WAITING_ON_CUSTOMER'],
      ['STATUS_CHANGED', 'WAITING_ON_CUSTOMER', 'IN_PROGRESS'],
      ['STATUS_CHANGED', 'IN_PROGRESS', 'RESOLVED'],
      ['STATUS_CHANGED', 'RESOLVED', 'IN_PROGRESS'],
    ]);
    expect(history!.history.every((event) => event.ticket.id === ticket.id)).toBe(true);
  });

  it('refuses moves that make no sense with BAD_USER_INPUT and changes nothing', async () => {
    const ticket = await openTicket(cast.customerA);
    await cast.agent.client.data(UpdateTicketStatusDocument, { input: { ticketId: ticket.id, status: 'CLOSED' } });
    const error = await cast.agent.client.error('BAD_USER_INPUT', UpdateTicketStatusDocument, { input: { ticketId: ticket.id, status: 'RESOLVED' } });
    expect(error.extensions?.field).toBe('status');
    await cast.agent.client.error('BAD_USER_INPUT', UpdateTicketStatusDocument, { input: { ticketId: (await openTicket(cast.customerA)).id, status: 'IN_PROGRESS' } });
    const { ticket: after } = await cast.agent.client.data(TicketDocument, { id: ticket.id });
    expect(after).toMatchObject({ status: 'CLOSED' });
    expect(after?.closedAt).not.toBeNull();
  });

  it('lets a customer close and reopen their own ticket but not put it in progress', async () => {
    const ticket = await openTicket(cast.customerA);
    await cast.customerA.client.data(UpdateTicketStatusDocument, { input: { ticketId: ticket.id, status: 'CLOSED' } });
    await cast.customerA.client.data(UpdateTicketStatusDocument, { input: { ticketId: ticket.id, status: 'OPEN' } });
    await cast.customerA.client.error('FORBIDDEN', UpdateTicketStatusDocument, { input: { ticketId: ticket.id, status: 'WAITING_ON_CUSTOMER' } });
    await cast.customerB.client.error('NOT_FOUND', UpdateTicketStatusDocument, { input: { ticketId: ticket.id, status: 'CLOSED' } });
  });

  it('unassigning returns IN_PROGRESS work to the queue', async () => {
    const ticket = await openTicket(cast.customerA);
    await cast.agent.client.data(AssignTicketDocument, { input: { ticketId: ticket.id, agentId: cast.agent.agent!.id } });
    const { assignTicket } = await cast.supervisor.client.data(AssignTicketDocument, { input: { ticketId: ticket.id, agentId: null } });
    expect(assignTicket.ticket).toMatchObject({ status: 'OPEN', assignee: null });
  });

  it('refuses unknown agents with NOT_FOUND', async () => {
    const ticket = await openTicket(cast.customerA);
    const error = await cast.agent.client.error('NOT_FOUND', AssignTicketDocument, { input: { ticketId: ticket.id, agentId: 'agt_00000000000000000000000000' } });
    expect(error.extensions?.field).toBe('agentId');
  });
});

describe('updateTicket, priority and rating', () => {
  it('lets the customer fix the subject but only staff touch category, department and tags', async () => {
    const ticket = await openTicket(cast.customerA);
    const { updateTicket } = await cast.customerA.client.data(UpdateTicketDocument, { input: { ticketId: ticket.id, subject: 'Payout still missing' } });
    expect(updateTicket.ticket.subject).toBe('Payout still missing');
    await cast.customerA.client.error('FORBIDDEN', UpdateTicketDocument, { input: { ticketId: ticket.id, tags: ['vip'] } });
    const staff = await cast.agent.client.data(UpdateTicketDocument, { input: { ticketId: ticket.id, department: 'billing', tags: ['VIP'], category: '' } });
    expect(staff.updateTicket.ticket).toMatchObject({ department: 'billing', tags: ['vip'], category: null });
    const { ticket: history } = await cast.agent.client.data(TicketHistoryDocument, { id: ticket.id });
    expect(history!.history.filter((event) => event.kind === 'UPDATED')).toHaveLength(2);
  });

  it('changes priority for staff only and records it', async () => {
    const ticket = await openTicket(cast.customerA);
    await cast.customerA.client.error('FORBIDDEN', UpdateTicketPriorityDocument, { input: { ticketId: ticket.id, priority: 'URGENT' } });
    const { updateTicketPriority } = await cast.agent.client.data(UpdateTicketPriorityDocument, { input: { ticketId: ticket.id, priority: 'URGENT' } });
    expect(updateTicketPriority.ticket.priority).toBe('URGENT');
  });

  it('takes a rating from the ticket’s customer once resolved, 1 to 5', async () => {
    const ticket = await openTicket(cast.customerA);
    await cast.customerA.client.error('BAD_USER_INPUT', RateTicketDocument, { input: { ticketId: ticket.id, rating: 5 } });
    await cast.agent.client.data(UpdateTicketStatusDocument, { input: { ticketId: ticket.id, status: 'RESOLVED' } });
    const bad = await cast.customerA.client.error('BAD_USER_INPUT', RateTicketDocument, { input: { ticketId: ticket.id, rating: 6 } });
    expect(bad.extensions?.field).toBe('rating');
    await cast.agent.client.error('FORBIDDEN', RateTicketDocument, { input: { ticketId: ticket.id, rating: 5 } });
    await cast.customerB.client.error('NOT_FOUND', RateTicketDocument, { input: { ticketId: ticket.id, rating: 5 } });
    const { rateTicket } = await cast.customerA.client.data(RateTicketDocument, { input: { ticketId: ticket.id, rating: 4, feedback: 'Quick' } });
    expect(rateTicket.ticket).toMatchObject({ rating: 4, feedback: 'Quick' });
  });
});

describe('bulkUpdateTickets', () => {
  it('changes every ticket in one go', async () => {
    const tickets = await Promise.all([openTicket(cast.customerA), openTicket(cast.customerB)]);
    const { bulkUpdateTickets } = await cast.supervisor.client.data(BulkUpdateTicketsDocument, {
      input: { ticketIds: tickets.map((t) => t.id), priority: 'HIGH', assigneeId: cast.agent.agent!.id },
    });
    expect(bulkUpdateTickets.updatedCount).toBe(2);
    expect(bulkUpdateTickets.tickets.map((t) => [t.priority, t.status, t.assignee?.id])).toEqual([
      ['HIGH', 'IN_PROGRESS', cast.agent.agent!.id],
      ['HIGH', 'IN_PROGRESS', cast.agent.agent!.id],
    ]);
  });

  it('is all or nothing: one impossible move leaves every ticket untouched', async () => {
    const open = await openTicket(cast.customerA);
    const closed = await openTicket(cast.customerA);
    await cast.agent.client.data(UpdateTicketStatusDocument, { input: { ticketId: closed.id, status: 'CLOSED' } });
    await cast.agent.client.error('BAD_USER_INPUT', BulkUpdateTicketsDocument, {
      input: { ticketIds: [open.id, closed.id], status: 'RESOLVED', priority: 'URGENT' },
    });
    const { ticket } = await cast.agent.client.data(TicketDocument, { id: open.id });
    expect(ticket).toMatchObject({ status: 'OPEN', priority: 'NORMAL' });
    const { ticket: history } = await cast.agent.client.data(TicketHistoryDocument, { id: open.id });
    expect(history!.history.map((e) => e.kind)).toEqual(['CREATED']);
  });

  it('refuses unknown ids, empty changes and customers', async () => {
    const ticket = await openTicket(cast.customerA);
    await cast.agent.client.error('NOT_FOUND', BulkUpdateTicketsDocument, { input: { ticketIds: [ticket.id, 'tkt_00000000000000000000000000'], priority: 'LOW' } });
    await cast.agent.client.error('BAD_USER_INPUT', BulkUpdateTicketsDocument, { input: { ticketIds: [ticket.id] } });
    await cast.agent.client.error('BAD_USER_INPUT', BulkUpdateTicketsDocument, { input: { ticketIds: [] , priority: 'LOW' } });
    await cast.customerA.client.error('FORBIDDEN', BulkUpdateTicketsDocument, { input: { ticketIds: [ticket.id], priority: 'LOW' } });
  });
});
