import {
  AssignTicketDocument,
  MarkAllNotificationsReadDocument,
  MarkNotificationReadDocument,
  NotificationsDocument,
  OnNotificationAddedDocument,
  SendMessageDocument,
  UpdateTicketPriorityDocument,
  UpdateTicketStatusDocument,
  type NotificationsQuery,
} from '../../__generated__/graphql';
import { AgentStatus } from '../../../src/modules/agents/agent-status';
import { NotificationKind } from '../../../src/modules/notifications/notification.enums';
import { notifyTicketStaff } from '../../../src/modules/notifications/notification.service';
import { Ticket } from '../../../src/modules/tickets/ticket.entity';
import { ticketTransaction } from '../../../src/modules/tickets/ticket.service';
import { createRequestContext } from '../../../src/server/context';
import { createAgentActor, createCustomer, createSupervisor, type Actor } from '../../support/factories';
import { startTestServer, type TestServer } from '../../support/server';
import { connectWs, disposeWsClients, waitFor } from '../../support/ws-client';
import { openTicket, uniqueDepartment } from '../routing/helpers';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ redis: true, env: { PRESENCE_GRACE_SECONDS: '3600' } });
});
afterEach(async () => {
  await disposeWsClients();
  await waitFor(() => server.app.services.realtime.stats().streams === 0, 5000, 'streams to close');
});
afterAll(() => server.stop());

type Note = NotificationsQuery['notifications']['nodes'][number];

/** The actor's notifications about one ticket, oldest first, as [kind, title]. */
async function inbox(actor: Actor, ticketId: string): Promise<Note[]> {
  const { notifications } = await actor.client.data(NotificationsDocument, { first: 100 });
  return notifications.nodes.filter((note) => note.ticket?.id === ticketId).reverse();
}
const kinds = async (actor: Actor, ticketId: string) => (await inbox(actor, ticketId)).map((note) => note.kind);

/** A department with an available agent (who gets new tickets), a busy colleague and a supervisor. */
async function team() {
  const department = uniqueDepartment('team');
  const [assignee, colleague, lead, outsider, customer] = await Promise.all([
    createAgentActor(server, { department, status: AgentStatus.AVAILABLE, name: 'Ada Assignee' }),
    createAgentActor(server, { department, status: AgentStatus.BUSY }),
    createSupervisor(server, { department }),
    createAgentActor(server, { department: uniqueDepartment('other'), status: AgentStatus.BUSY }),
    createCustomer(server),
  ]);
  return { department, assignee, colleague, lead, outsider, customer };
}

describe('fan-out', () => {
  it('tells the department about a new ticket, and its assignee that it is theirs (once)', async () => {
    const { department, assignee, colleague, lead, outsider, customer } = await team();
    const ticketId = await openTicket(customer, { department, subject: 'Card declined' });
    expect(await inbox(assignee, ticketId)).toEqual([expect.objectContaining({ kind: 'TICKET_ASSIGNED', body: 'Card declined', readAt: null })]);
    expect(await inbox(colleague, ticketId)).toEqual([expect.objectContaining({ kind: 'NEW_TICKET', body: 'Card declined' })]);
    expect(await kinds(lead, ticketId)).toEqual(['NEW_TICKET']);
    expect(await kinds(outsider, ticketId)).toEqual([]);
    // The customer opened it: nothing for them, not even the automatic move to IN_PROGRESS.
    expect(await kinds(customer, ticketId)).toEqual([]);
  });

  it('tells every agent about a ticket without a department', async () => {
    const { outsider, customer } = await team();
    const ticketId = await openTicket(customer);
    expect(await kinds(outsider, ticketId)).toContain('NEW_TICKET');
  });

  it('tells the assignee of customer messages and the customer of public replies, never of notes', async () => {
    const { department, assignee, customer } = await team();
    const ticketId = await openTicket(customer, { department });
    await customer.client.data(SendMessageDocument, { input: { ticketId, body: 'Hello?\n\nIs anyone   there?' } });
    expect((await inbox(assignee, ticketId)).at(-1)).toMatchObject({ kind: 'NEW_MESSAGE', body: 'Hello? Is anyone there?' });

    await assignee.client.data(SendMessageDocument, { input: { ticketId, body: 'note to self', internal: true } });
    await assignee.client.data(SendMessageDocument, { input: { ticketId, body: 'Yes, looking into it.' } });
    // The reply also moved the ticket to WAITING_ON_CUSTOMER: one notification, the message.
    expect(await inbox(customer, ticketId)).toEqual([expect.objectContaining({ kind: 'NEW_MESSAGE', body: 'Yes, looking into it.' })]);
    expect(await kinds(assignee, ticketId)).toEqual(['TICKET_ASSIGNED', 'NEW_MESSAGE']);
  });

  it('tells the customer when staff change the status, not when they do it themself', async () => {
    const { department, assignee, customer } = await team();
    const ticketId = await openTicket(customer, { department });
    await assignee.client.data(UpdateTicketStatusDocument, { input: { ticketId, status: 'RESOLVED' } });
    expect(await inbox(customer, ticketId)).toEqual([expect.objectContaining({ kind: 'STATUS_CHANGED', title: expect.stringMatching(/ was resolved$/) })]);
    await customer.client.data(UpdateTicketStatusDocument, { input: { ticketId, status: 'OPEN' } });
    expect(await kinds(customer, ticketId)).toEqual(['STATUS_CHANGED']);
  });

  it('tells the assignee and the supervisors when the priority goes up, nobody when it goes down', async () => {
    const { department, assignee, colleague, lead, customer } = await team();
    const ticketId = await openTicket(customer, { department });
    const otherLead = await createSupervisor(server, { department });
    await lead.client.data(UpdateTicketPriorityDocument, { input: { ticketId, priority: 'URGENT' } });
    expect((await inbox(assignee, ticketId)).at(-1)).toMatchObject({ kind: 'PRIORITY_ESCALATED', title: expect.stringMatching(/ escalated to URGENT$/) });
    expect(await kinds(otherLead, ticketId)).toEqual(['PRIORITY_ESCALATED']);
    expect(await kinds(lead, ticketId)).toEqual(['NEW_TICKET']); // the actor hears nothing of their own change
    expect(await kinds(customer, ticketId)).toEqual([]);
    expect(await kinds(colleague, ticketId)).toEqual(['NEW_TICKET']);

    await lead.client.data(UpdateTicketPriorityDocument, { input: { ticketId, priority: 'LOW' } });
    expect(await kinds(otherLead, ticketId)).toEqual(['PRIORITY_ESCALATED']);
  });

  it('tells an agent a supervisor assigned them a ticket, but not an agent who took it themself', async () => {
    const { department, assignee, colleague, lead, customer } = await team();
    const ticketId = await openTicket(customer, { department });
    await lead.client.data(AssignTicketDocument, { input: { ticketId, agentId: colleague.agent!.id } });
    expect(await kinds(colleague, ticketId)).toEqual(['NEW_TICKET', 'TICKET_ASSIGNED']);
    await assignee.client.data(AssignTicketDocument, { input: { ticketId, agentId: assignee.agent!.id } });
    expect(await kinds(assignee, ticketId)).toEqual(['TICKET_ASSIGNED']);
  });

  it('lets the SLA clock notify a ticket’s staff in its own transaction', async () => {
    const { department, assignee, lead, customer } = await team();
    const ticketId = await openTicket(customer, { department, subject: 'Slow' });
    const live = connectWs(server.wsUrl, { token: lead.token }).subscribe(OnNotificationAddedDocument);
    await waitFor(() => server.app.services.realtime.stats().streams === 1);
    const ctx = createRequestContext(server.app.services, null, 'sla-test');
    await ticketTransaction(ctx, async (work) => {
      const ticket = await work.em.findOneOrFail(Ticket, { id: ticketId });
      await notifyTicketStaff(work, ticket, NotificationKind.SLA_BREACHED, { title: 'First response overdue', body: 'Slow' });
    });
    expect((await inbox(assignee, ticketId)).at(-1)).toMatchObject({ kind: 'SLA_BREACHED', title: 'First response overdue' });
    expect((await live.waitForMessage((data) => data.notificationAdded.kind === 'SLA_BREACHED')).notificationAdded.ticket?.id).toBe(ticketId);
  });
});

describe('notificationAdded', () => {
  it('delivers the viewer’s own notifications as they are stored, and nobody else’s', async () => {
    const { department, assignee, customer } = await team();
    const ticketId = await openTicket(customer, { department });
    const bystander = await createCustomer(server);
    const mine = connectWs(server.wsUrl, { token: customer.token }).subscribe(OnNotificationAddedDocument);
    const theirs = connectWs(server.wsUrl, { token: bystander.token }).subscribe(OnNotificationAddedDocument);
    await waitFor(() => server.app.services.realtime.stats().streams === 2);
    await assignee.client.data(SendMessageDocument, { input: { ticketId, body: 'We refunded you.' } });
    const { notificationAdded } = await mine.waitForMessage();
    const [stored] = await inbox(customer, ticketId);
    expect(notificationAdded).toEqual(stored);
    expect(notificationAdded).toMatchObject({ kind: 'NEW_MESSAGE', body: 'We refunded you.', ticket: { id: ticketId } });
    expect(theirs.data).toEqual([]);
  });
});

describe('the inbox', () => {
  it('counts unread, filters unread only, and marks read one or all', async () => {
    const { department, colleague, customer } = await team();
    const tickets = [await openTicket(customer, { department }), await openTicket(customer, { department }), await openTicket(customer, { department })];
    const before = (await colleague.client.data(NotificationsDocument, { unreadOnly: true })).notifications;
    expect(before.unreadCount).toBe(3);
    expect(before.nodes.map((note) => note.ticket!.id)).toEqual([...tickets].reverse());

    const { markNotificationRead } = await colleague.client.data(MarkNotificationReadDocument, { id: before.nodes[0].id });
    expect(markNotificationRead.readAt).not.toBeNull();
    const again = await colleague.client.data(MarkNotificationReadDocument, { id: before.nodes[0].id });
    expect(again.markNotificationRead.readAt).toBe(markNotificationRead.readAt);

    const unread = (await colleague.client.data(NotificationsDocument, { unreadOnly: true })).notifications;
    expect([unread.unreadCount, unread.totalCount, unread.nodes.length]).toEqual([2, 2, 2]);
    expect((await colleague.client.data(MarkAllNotificationsReadDocument)).markAllNotificationsRead).toBe(2);
    expect((await colleague.client.data(MarkAllNotificationsReadDocument)).markAllNotificationsRead).toBe(0);
    const after = (await colleague.client.data(NotificationsDocument, {})).notifications;
    expect([after.unreadCount, after.totalCount]).toEqual([0, 3]);
  });

  it('pages newest first', async () => {
    const { department, colleague, customer } = await team();
    for (let i = 0; i < 3; i++) await openTicket(customer, { department });
    const first = (await colleague.client.data(NotificationsDocument, { first: 2 })).notifications;
    expect(first.pageInfo.hasNextPage).toBe(true);
    const rest = (await colleague.client.data(NotificationsDocument, { first: 2, after: first.pageInfo.endCursor })).notifications;
    expect(rest.nodes).toHaveLength(1);
    expect(new Date(rest.nodes[0].createdAt).getTime()).toBeLessThanOrEqual(new Date(first.nodes[1].createdAt).getTime());
  });

  it('answers a page of notifications with their tickets in a constant number of statements', async () => {
    const { department, colleague, customer } = await team();
    for (let i = 0; i < 12; i++) await openTicket(customer, { department });
    const count = async (first: number) => (await server.countQueries(() => colleague.client.data(NotificationsDocument, { first }))).count;
    const small = await count(2);
    const large = await count(12);
    expect(large).toBe(small);
    // the session check, the page, totalCount, unreadCount, the tickets
    expect(large).toBeLessThanOrEqual(5);
  });
});
