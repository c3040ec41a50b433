import {
  CreateTicketDocument,
  DeleteMessageDocument,
  EditMessageDocument,
  MarkTicketReadDocument,
  MessageNodeDocument,
  SendMessageDocument,
  TicketMessagesDocument,
} from '../../__generated__/graphql';
import { Message } from '../../../src/modules/messages/message.entity';
import { createCast, type Actor, type Cast } from '../../support/factories';
import { startTestServer, type TestServer } from '../../support/server';

let server: TestServer;
let cast: Cast;

beforeAll(async () => {
  server = await startTestServer();
  cast = await createCast(server);
});
afterAll(() => server.stop());

async function openTicket(actor: Actor = cast.customerA) {
  const { createTicket } = await actor.client.data(CreateTicketDocument, { input: { subject: 'Login fails', description: 'I cannot sign in.' } });
  return createTicket.ticket.id;
}

const send = (actor: Actor, ticketId: string, body: string, extra: { internal?: boolean; clientMessageId?: string } = {}) =>
  actor.client.data(SendMessageDocument, { input: { ticketId, body, ...extra } }).then((r) => r.sendMessage.message);

const page = (actor: Actor, id: string, args: { first?: number; after?: string; last?: number; before?: string; afterSeq?: number } = {}) =>
  actor.client.data(TicketMessagesDocument, { id, ...args }).then((r) => r.ticket!);

describe('sendMessage', () => {
  it('numbers messages 1, 2, 3 per ticket and records the author', async () => {
    const ticketId = await openTicket();
    const first = await send(cast.customerA, ticketId, 'Hello');
    const second = await send(cast.agent, ticketId, 'Hi, how can I help?');
    expect([first.seq, second.seq]).toEqual([1, 2]);
    expect(first).toMatchObject({ authorKind: 'CUSTOMER', kind: 'TEXT', internal: false, author: { id: cast.customerA.user.id } });
    expect(second).toMatchObject({ authorKind: 'AGENT', author: { id: cast.agent.user.id } });
  });

  it('keeps seq gapless and in commit order under concurrent sends', async () => {
    const ticketId = await openTicket();
    await Promise.all(Array.from({ length: 20 }, (_, i) => send(i % 2 ? cast.agent : cast.customerA, ticketId, `message ${i}`)));
    const { messages, messageCount } = await page(cast.agent, ticketId, { first: 50 });
    expect(messages.nodes.map((m) => m.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(messageCount).toBe(20);
    // Commit order: creation times never go backwards along seq.
    const times = messages.nodes.map((m) => new Date(m.createdAt).getTime());
    expect([...times].sort((a, b) => a - b)).toEqual(times);
  });

  it('is idempotent on clientMessageId, also for concurrent retries', async () => {
    const ticketId = await openTicket();
    const attempts = await Promise.all(Array.from({ length: 5 }, () => send(cast.customerA, ticketId, 'Once only', { clientMessageId: 'c-1' })));
    expect(new Set(attempts.map((m) => m.id)).size).toBe(1);
    const again = await send(cast.customerA, ticketId, 'Once only', { clientMessageId: 'c-1' });
    expect(again.id).toBe(attempts[0].id);
    const { messages } = await page(cast.agent, ticketId);
    expect(messages.totalCount).toBe(1);
    // The same client id from another author is another message.
    const fromAgent = await send(cast.agent, ticketId, 'Mine', { clientMessageId: 'c-1' });
    expect(fromAgent.id).not.toBe(attempts[0].id);
  });

  it('refuses internal notes from customers and messages on others’ tickets', async () => {
    const ticketId = await openTicket();
    await cast.customerA.client.error('FORBIDDEN', SendMessageDocument, { input: { ticketId, body: 'x', internal: true } });
    await cast.customerB.client.error('NOT_FOUND', SendMessageDocument, { input: { ticketId, body: 'x' } });
    await server.anonymous.error('UNAUTHENTICATED', SendMessageDocument, { input: { ticketId, body: 'x' } });
  });

  it.each([
    ['body', { body: '' }],
    ['body', { body: '   ' }],
    ['body', { body: 'x'.repeat(5001) }],
    ['clientMessageId', { clientMessageId: 'x'.repeat(101) }],
  ])('rejects a bad %s', async (field, extra) => {
    const ticketId = await openTicket();
    const error = await cast.customerA.client.error('BAD_USER_INPUT', SendMessageDocument, { input: { ticketId, body: 'ok', ...extra } });
    expect(error.extensions?.field).toBe(field);
  });

  it('refuses attachments that are not the sender’s own unattached uploads', async () => {
    const ticketId = await openTicket();
    const error = await cast.customerA.client.error('BAD_USER_INPUT', SendMessageDocument, {
      input: { ticketId, body: 'see file', attachmentIds: ['att_00000000000000000000000000'] },
    });
    expect(error.extensions?.field).toBe('attachmentIds');
    const { messages } = await page(cast.agent, ticketId);
    expect(messages.totalCount).toBe(0);
  });
});

describe('internal notes', () => {
  it('are hidden from the customer everywhere: list, count, node and unread', async () => {
    const ticketId = await openTicket();
    await send(cast.customerA, ticketId, 'Question');
    const note = await send(cast.agent, ticketId, 'VIP customer, be nice', { internal: true });
    await send(cast.agent, ticketId, 'Answer');
    const asCustomer = await page(cast.customerA, ticketId);
    expect(asCustomer.messages.nodes.map((m) => m.body)).toEqual(['Question', 'Answer']);
    expect(asCustomer.messages.totalCount).toBe(2);
    expect(asCustomer.messageCount).toBe(2);
    expect(asCustomer.unreadCount).toBe(1);
    expect((await cast.customerA.client.data(MessageNodeDocument, { id: note.id })).node).toBeNull();
    await cast.customerA.client.error('NOT_FOUND', EditMessageDocument, { input: { id: note.id, body: 'x' } });
    const asAgent = await page(cast.agent, ticketId);
    expect(asAgent.messages.totalCount).toBe(3);
    expect(asAgent.messageCount).toBe(3);
  });
});

describe('editMessage and deleteMessage', () => {
  it('lets the author edit within five minutes, and nobody else', async () => {
    const ticketId = await openTicket();
    const message = await send(cast.customerA, ticketId, 'Helo');
    const { editMessage } = await cast.customerA.client.data(EditMessageDocument, { input: { id: message.id, body: 'Hello' } });
    expect(editMessage.message.body).toBe('Hello');
    expect(editMessage.message.editedAt).not.toBeNull();
    await cast.agent.client.error('FORBIDDEN', EditMessageDocument, { input: { id: message.id, body: 'hijack' } });
    await cast.admin.client.error('FORBIDDEN', EditMessageDocument, { input: { id: message.id, body: 'hijack' } });

    // Age the message past the window.
    const em = server.app.services.orm.em.fork();
    await em.nativeUpdate(Message, { id: message.id }, { createdAt: new Date(Date.now() - 6 * 60_000) });
    await cast.customerA.client.error('FORBIDDEN', EditMessageDocument, { input: { id: message.id, body: 'Too late' } });
  });

  it('soft-deletes: the seq stays, the body is blank for others but not for the author or admins', async () => {
    const ticketId = await openTicket();
    const message = await send(cast.customerA, ticketId, 'Oops, my password is hunter2');
    await send(cast.agent, ticketId, 'Please delete that');
    await cast.agent.client.error('FORBIDDEN', DeleteMessageDocument, { id: message.id });
    const { deleteMessage } = await cast.customerA.client.data(DeleteMessageDocument, { id: message.id });
    expect(deleteMessage.message.deletedAt).not.toBeNull();
    const seenByAgent = await page(cast.agent, ticketId);
    expect(seenByAgent.messages.nodes.map((m) => [m.seq, m.body])).toEqual([
      [1, ''],
      [2, 'Please delete that'],
    ]);
    expect((await page(cast.admin, ticketId)).messages.nodes[0].body).toBe('Oops, my password is hunter2');
    await cast.customerA.client.error('BAD_USER_INPUT', EditMessageDocument, { input: { id: message.id, body: 'x' } });
  });
});

describe('read state', () => {
  it('derives unreadCount and readBy from read cursors', async () => {
    const ticketId = await openTicket();
    const question = await send(cast.customerA, ticketId, 'One');
    await send(cast.customerA, ticketId, 'Two');
    expect((await page(cast.agent, ticketId)).unreadCount).toBe(2);
    expect((await page(cast.customerA, ticketId)).unreadCount).toBe(0);

    const { markTicketRead } = await cast.agent.client.data(MarkTicketReadDocument, { ticketId });
    expect(markTicketRead.ticket.unreadCount).toBe(0);
    const seen = await page(cast.customerA, ticketId);
    const receipt = seen.messages.nodes.find((m) => m.id === question.id)!.readBy;
    expect(receipt.map((r) => r.user.id)).toEqual([cast.agent.user.id]);

    await send(cast.agent, ticketId, 'Reply');
    expect((await page(cast.customerA, ticketId)).unreadCount).toBe(1);
    // Writing a message marks what came before as read for its author.
    expect((await page(cast.agent, ticketId)).unreadCount).toBe(0);
    await cast.customerB.client.error('NOT_FOUND', MarkTicketReadDocument, { ticketId });
  });
});

describe('Ticket.messages pagination', () => {
  let ticketId: string;
  beforeAll(async () => {
    ticketId = await openTicket();
    for (let i = 1; i <= 7; i++) await send(i % 2 ? cast.customerA : cast.agent, ticketId, `m${i}`);
  });

  it('pages forward with cursors', async () => {
    const one = await page(cast.agent, ticketId, { first: 3 });
    expect(one.messages.nodes.map((m) => m.seq)).toEqual([1, 2, 3]);
    expect(one.messages.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    const two = await page(cast.agent, ticketId, { first: 3, after: one.messages.pageInfo.endCursor! });
    expect(two.messages.nodes.map((m) => m.seq)).toEqual([4, 5, 6]);
    expect(two.messages.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: true });
    const three = await page(cast.agent, ticketId, { first: 3, after: two.messages.pageInfo.endCursor! });
    expect(three.messages.nodes.map((m) => m.seq)).toEqual([7]);
    expect(three.messages.pageInfo.hasNextPage).toBe(false);
  });

  it('pages backward from the newest, still oldest first within the page', async () => {
    const last = await page(cast.agent, ticketId, { last: 3 });
    expect(last.messages.nodes.map((m) => m.seq)).toEqual([5, 6, 7]);
    expect(last.messages.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: false });
    const before = await page(cast.agent, ticketId, { last: 3, before: last.messages.pageInfo.startCursor! });
    expect(before.messages.nodes.map((m) => m.seq)).toEqual([2, 3, 4]);
  });

  it('resumes after a seq', async () => {
    const resumed = await page(cast.agent, ticketId, { afterSeq: 5 });
    expect(resumed.messages.nodes.map((m) => m.seq)).toEqual([6, 7]);
    expect(resumed.messages.totalCount).toBe(2);
  });

  it('rejects bad arguments', async () => {
    await cast.agent.client.error('BAD_USER_INPUT', TicketMessagesDocument, { id: ticketId, first: 1, last: 1 });
    await cast.agent.client.error('BAD_USER_INPUT', TicketMessagesDocument, { id: ticketId, first: 101 });
    await cast.agent.client.error('BAD_USER_INPUT', TicketMessagesDocument, { id: ticketId, after: 'garbage' });
    await cast.agent.client.error('BAD_USER_INPUT', TicketMessagesDocument, { id: ticketId, afterSeq: -1 });
  });
});
