import type { EntityManager } from '@mikro-orm/postgresql';
import { ConversationWithAttachmentsDocument, DeleteMessageDocument, SendMessageDocument, SendMessageWithAttachmentsDocument, UpdateTicketStatusDocument } from '../../__generated__/graphql';
import { User } from '../../../src/modules/accounts/user.entity';
import { RECEIVE_MESSENGER_MESSAGE } from '../../../src/modules/channels/messenger/messenger.inbound';
import { SEND_MESSENGER_MESSAGE } from '../../../src/modules/channels/messenger/messenger.outbound';
import { Ticket } from '../../../src/modules/tickets/ticket.entity';
import { AgentStatus } from '../../../src/modules/agents/agent-status';
import { createAgentActor, createCast, type Actor, type Cast } from '../../support/factories';
import { startTestServer, type TestServer } from '../../support/server';
import { parse } from 'graphql';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { connectWs, disposeWsClients, waitFor } from '../../support/ws-client';
import { deliver, download, FAST_JOBS, GraphStandIn, HTML, jobsOf, MESSENGER, messengerEnv, origin, pendingJobs, PNG, signedDelivery, textEvent, uploaded } from './helpers';

const PUBLIC_URL = 'https://parley.example.test';

const OnMessageState = parse('subscription OnMessageState($ticketId: ID!) { messageAdded(ticketId: $ticketId) { id body deliveryState } }') as TypedDocumentNode<
  { messageAdded: { id: string; body: string; deliveryState: string | null } },
  { ticketId: string }
>;

let graph: GraphStandIn;
let server: TestServer;
let cast: Cast;
let psidCounter = 0;

beforeAll(async () => {
  graph = await new GraphStandIn().start();
  server = await startTestServer({ env: { ...messengerEnv(graph), ...FAST_JOBS, PUBLIC_URL } });
  cast = await createCast(server);
});
afterAll(async () => {
  await server.stop();
  await graph.stop();
});

const newPsid = () => `${Date.now()}${++psidCounter}`;
let midCounter = 0;
const newMid = () => `m_${Date.now()}_${++midCounter}`;

function em(): EntityManager {
  return server.app.services.orm.em.fork() as EntityManager;
}

/** The ticket a Messenger sender's messages landed in, once they have. */
async function ticketOf(psid: string, count = 1): Promise<Ticket> {
  return waitFor(async () => {
    const user = await em().findOne(User, { messengerPsid: psid });
    if (!user) return null;
    const tickets = await em().find(Ticket, { customer: user.id }, { orderBy: { createdAt: 'asc' } });
    return tickets.length >= count ? tickets[count - 1] : null;
  });
}

async function conversation(ticketId: string, actor: Actor = cast.agent) {
  const { ticket } = await actor.client.data(ConversationWithAttachmentsDocument, { id: ticketId });
  return ticket!;
}

async function customerMessages(ticketId: string) {
  return (await conversation(ticketId)).messages.nodes.filter((message) => message.authorKind === 'CUSTOMER');
}

async function reply(ticketId: string, body: string, actor: Actor = cast.agent) {
  return (await actor.client.data(SendMessageDocument, { input: { ticketId, body } })).sendMessage.message;
}

async function deliveryState(ticketId: string, messageId: string) {
  return (await conversation(ticketId)).messages.nodes.find((message) => message.id === messageId)?.deliveryState;
}

/** A Messenger conversation with one inbound message; returns its ticket. */
async function conversationWith(psid: string, text = 'Hello from Messenger'): Promise<Ticket> {
  expect((await deliver(server, textEvent(psid, newMid(), text))).status).toBe(200);
  const ticket = await ticketOf(psid);
  await waitFor(async () => (await customerMessages(ticket.id)).length >= 1);
  return ticket;
}

describe('GET /webhooks/messenger (verification)', () => {
  const verify = (query: Record<string, string>) => fetch(`${origin(server)}/webhooks/messenger?${new URLSearchParams(query)}`);

  it('echoes hub.challenge when the verify token matches', async () => {
    const response = await verify({ 'hub.mode': 'subscribe', 'hub.verify_token': MESSENGER.verifyToken, 'hub.challenge': '1158201444' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await response.text()).toBe('1158201444');
  });

  it.each([
    ['a wrong token', { 'hub.mode': 'subscribe', 'hub.verify_token': 'guess', 'hub.challenge': '1' }],
    ['another mode', { 'hub.mode': 'unsubscribe', 'hub.verify_token': MESSENGER.verifyToken, 'hub.challenge': '1' }],
    ['no parameters', {}],
  ])('answers 403 for %s', async (_what, query) => {
    expect((await verify(query)).status).toBe(403);
  });
});

describe('POST /webhooks/messenger (signature)', () => {
  it('answers 401 without X-Hub-Signature-256 and queues nothing', async () => {
    const psid = newPsid();
    expect((await deliver(server, textEvent(psid, newMid(), 'hi'), null)).status).toBe(401);
    expect((await jobsOf(server, RECEIVE_MESSENGER_MESSAGE)).filter((job) => job.payload.psid === psid)).toEqual([]);
  });

  it('answers 403 for a signature made with another secret, or over other bytes', async () => {
    const payload = textEvent(newPsid(), newMid(), 'hi');
    expect((await deliver(server, payload, signedDelivery(payload, 'not-the-app-secret').signature)).status).toBe(403);
    const other = signedDelivery(textEvent(newPsid(), newMid(), 'something else')).signature;
    expect((await deliver(server, payload, other)).status).toBe(403);
    expect((await deliver(server, payload, 'sha256=zz')).status).toBe(403);
  });

  it('answers 200 EVENT_RECEIVED for a signed delivery', async () => {
    const response = await deliver(server, textEvent(newPsid(), newMid(), 'hi'));
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('EVENT_RECEIVED');
  });
});

describe('inbound messages', () => {
  it('a first message creates a guest customer (named from their profile) and opens a MESSENGER ticket', async () => {
    const psid = newPsid();
    const ticket = await conversationWith(psid, 'My order #123 never arrived.\nCan you check?');
    const customer = await em().findOneOrFail(User, { messengerPsid: psid });
    expect(customer).toMatchObject({ name: 'Mia Messenger', role: 'CUSTOMER', isGuest: true, email: null });
    const seen = await conversation(ticket.id);
    expect(seen).toMatchObject({ channel: 'MESSENGER', status: expect.any(String) });
    expect(ticket.subject).toBe('My order #123 never arrived.');
    const [first] = await customerMessages(ticket.id);
    expect(first).toMatchObject({ authorKind: 'CUSTOMER', body: 'My order #123 never arrived.\nCan you check?', author: { id: customer.id } });
  });

  it('later messages join the open ticket, in the order sent', async () => {
    const psid = newPsid();
    const ticket = await conversationWith(psid, 'one');
    const texts = ['two', 'three', 'four', 'five'];
    await Promise.all(texts.map((text, n) => new Promise((resolve) => setTimeout(resolve, n * 5)).then(() => deliver(server, textEvent(psid, newMid(), text)))));
    await waitFor(async () => (await customerMessages(ticket.id)).length === 5);
    // Several messages in one delivery keep their order too.
    const batch = textEvent(psid, newMid(), 'six');
    batch.entry[0].messaging.push({ ...batch.entry[0].messaging[0], message: { mid: newMid(), text: 'seven' } });
    await deliver(server, batch);
    await waitFor(async () => (await customerMessages(ticket.id)).length === 7);
    const bodies = (await customerMessages(ticket.id)).map((message) => message.body);
    expect(bodies.slice(0, 1)).toEqual(['one']);
    expect(bodies.slice(5)).toEqual(['six', 'seven']);
    expect(new Set(bodies.slice(1, 5))).toEqual(new Set(texts));
    expect(await em().count(Ticket, { customer: ticket.customer.id })).toBe(1);
  });

  it('is idempotent on the message id: Meta’s redeliveries, even concurrent ones, add nothing', async () => {
    const psid = newPsid();
    const payload = textEvent(psid, newMid(), 'Only once please');
    const answers = await Promise.all(Array.from({ length: 4 }, () => deliver(server, payload)));
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200]);
    const ticket = await ticketOf(psid);
    await waitFor(async () => (await pendingJobs(server, RECEIVE_MESSENGER_MESSAGE)) === 0);
    await deliver(server, payload);
    await waitFor(async () => (await pendingJobs(server, RECEIVE_MESSENGER_MESSAGE)) === 0);
    expect((await customerMessages(ticket.id)).map((message) => message.body)).toEqual(['Only once please']);
  });

  it('opens a new ticket once the earlier one is resolved', async () => {
    const psid = newPsid();
    const first = await conversationWith(psid, 'First problem');
    await cast.agent.client.data(UpdateTicketStatusDocument, { input: { ticketId: first.id, status: 'RESOLVED' } });
    await deliver(server, textEvent(psid, newMid(), 'Second problem'));
    const second = await ticketOf(psid, 2);
    expect(second.id).not.toBe(first.id);
    expect(second.subject).toBe('Second problem');
  });

  it('ignores echoes of the page’s own messages and delivery receipts', async () => {
    const psid = newPsid();
    const echo = textEvent(psid, newMid(), 'sent by the page');
    (echo.entry[0].messaging[0].message as { is_echo?: boolean }).is_echo = true;
    const receipt = { object: 'page', entry: [{ id: 'PAGE_ID', time: Date.now(), messaging: [{ sender: { id: psid }, recipient: { id: 'PAGE_ID' }, delivery: { mids: ['m_1'], watermark: 1 } }] }] };
    expect((await deliver(server, echo)).status).toBe(200);
    expect((await deliver(server, receipt)).status).toBe(200);
    // No job for this sender, in any state (counting pending jobs raced the worker finishing others').
    const jobs = await jobsOf(server, RECEIVE_MESSENGER_MESSAGE);
    expect(jobs.filter((job) => job.payload.psid === psid)).toEqual([]);
    expect(await em().findOne(User, { messengerPsid: psid })).toBeNull();
  });

  it('keeps a photo the customer sends: an IMAGE message with the file stored, sniffed and downloadable', async () => {
    const psid = newPsid();
    const url = graph.cdnFile(`photo-${psid}.jpg`, PNG);
    await deliver(server, textEvent(psid, newMid(), '', [{ type: 'image', payload: { url } }]));
    const ticket = await ticketOf(psid);
    const [message] = await waitFor(async () => {
      const found = await customerMessages(ticket.id);
      return found.length ? found : null;
    });
    expect(message).toMatchObject({ kind: 'IMAGE', body: '(sent an image on Messenger)' });
    expect(message.attachments).toEqual([expect.objectContaining({ filename: `photo-${psid}.jpg`, mimeType: 'image/png', size: PNG.length })]);
    const link = new URL(message.attachments[0].url);
    expect((await download(server, `${link.pathname}${link.search}`)).status).toBe(200);
  });

  it('mentions what it cannot keep (a refused type, a dead link) and keeps the rest of the message', async () => {
    const psid = newPsid();
    const video = graph.cdnFile(`clip-${psid}.mp4`, HTML);
    const gone = `${new URL(graph.url).origin}/cdn/expired-${psid}.png`;
    await deliver(server, textEvent(psid, newMid(), 'Look at this', [{ type: 'video', payload: { url: video } }, { type: 'image', payload: { url: gone } }]));
    const ticket = await ticketOf(psid);
    const [message] = await waitFor(async () => {
      const found = await customerMessages(ticket.id);
      return found.length ? found : null;
    });
    expect(message.kind).toBe('TEXT');
    expect(message.body).toBe(
      ['Look at this', '[A video sent on Messenger was not kept: Parley does not accept its type.]', '[An image sent on Messenger was not kept: Meta no longer serves it (404).]'].join('\n'),
    );
  });

  it('lands in the same queue as web tickets: routed to an available agent, staff notified', async () => {
    const available = await createAgentActor(server, { name: 'Ava Available', status: AgentStatus.AVAILABLE, maxConcurrentTickets: 50 });
    const psid = newPsid();
    const ticket = await conversationWith(psid, 'Is anyone there?');
    const routed = await waitFor(async () => (await em().findOneOrFail(Ticket, { id: ticket.id })).assignee);
    expect(routed.id).toBe(available.agent!.id);
    const notified = await em()
      .getConnection()
      .execute<{ kind: string }[]>('select kind from notifications where ticket_id = ? and recipient_id = ?', [ticket.id, available.user.id]);
    expect(notified.map((row) => row.kind)).toContain('TICKET_ASSIGNED');
  });
});

describe('replies to Messenger', () => {
  it('an agent’s public reply goes out through the Send API with the page token, and is marked SENT', async () => {
    const psid = newPsid();
    const ticket = await conversationWith(psid);
    const message = await reply(ticket.id, 'We are on it!');
    const [call] = await waitFor(() => {
      const calls = graph.sendsTo(psid).filter((c) => c.body.message?.text === 'We are on it!');
      return calls.length ? calls : null;
    });
    expect(call.authorization).toBe(`Bearer ${MESSENGER.pageToken}`);
    expect(call.body).toMatchObject({ recipient: { id: psid }, messaging_type: 'RESPONSE' });
    expect(await waitFor(async () => (await deliveryState(ticket.id, message.id)) === 'SENT')).toBe(true);
  });

  it('tells messageAdded subscribers the reply is PENDING: the event carries the message as committed', async () => {
    const psid = newPsid();
    const ticket = await conversationWith(psid);
    const sub = connectWs(server.wsUrl, { token: cast.supervisor.token }).subscribe(OnMessageState, { ticketId: ticket.id });
    await waitFor(() => server.app.services.realtime.stats().streams === 1);
    const message = await reply(ticket.id, 'Queued for Messenger');
    const added = await sub.waitForMessage((data) => data.messageAdded.id === message.id);
    expect(added.messageAdded).toEqual({ id: message.id, body: 'Queued for Messenger', deliveryState: 'PENDING' });
    await disposeWsClients();
  });

  it('keeps internal notes and customers’ own messages in Parley', async () => {
    const psid = newPsid();
    const ticket = await conversationWith(psid);
    const note = (await cast.agent.client.data(SendMessageDocument, { input: { ticketId: ticket.id, body: 'internal: check the warehouse', internal: true } })).sendMessage.message;
    await reply(ticket.id, 'public marker');
    await waitFor(() => graph.sendsTo(psid).some((call) => call.body.message?.text === 'public marker'));
    expect(graph.sendsTo(psid).some((call) => call.body.message?.text?.includes('warehouse'))).toBe(false);
    expect(graph.sendsTo(psid).some((call) => call.body.message?.text === 'Hello from Messenger')).toBe(false);
    expect(await deliveryState(ticket.id, note.id)).toBeNull();
  });

  it('retries with backoff while the Send API fails, then delivers', async () => {
    const psid = newPsid();
    const ticket = await conversationWith(psid);
    await waitFor(async () => (await pendingJobs(server, SEND_MESSENGER_MESSAGE)) === 0);
    graph.fail(2, 500, { message: 'An unexpected error has occurred.', code: 2, is_transient: true });
    const message = await reply(ticket.id, 'Third time lucky');
    await waitFor(async () => (await deliveryState(ticket.id, message.id)) === 'SENT');
    expect(graph.sendsTo(psid).filter((call) => call.body.message?.text === 'Third time lucky')).toHaveLength(3);
  });

  it('marks a reply Meta refuses for good FAILED, without retrying it', async () => {
    const psid = newPsid();
    const ticket = await conversationWith(psid);
    await waitFor(async () => (await pendingJobs(server, SEND_MESSENGER_MESSAGE)) === 0);
    graph.fail(1, 400, { message: 'No matching user found', code: 100 });
    const message = await reply(ticket.id, 'Nobody home');
    await waitFor(async () => (await deliveryState(ticket.id, message.id)) === 'FAILED');
    expect(graph.sendsTo(psid).filter((call) => call.body.message?.text === 'Nobody home')).toHaveLength(1);
  });

  it('sends a conversation’s replies in order, even when the first one needs retries', async () => {
    const psid = newPsid();
    const ticket = await conversationWith(psid);
    await waitFor(async () => (await pendingJobs(server, SEND_MESSENGER_MESSAGE)) === 0);
    graph.fail(2, 503, { message: 'Service temporarily unavailable', code: 1200 });
    for (const body of ['first', 'second', 'third']) await reply(ticket.id, body);
    await waitFor(() => graph.sendsTo(psid).filter((call) => ['first', 'second', 'third'].includes(call.body.message?.text ?? '')).length === 5);
    const delivered = graph.sendsTo(psid).map((call) => call.body.message?.text).filter((text) => ['first', 'second', 'third'].includes(text ?? ''));
    expect(delivered).toEqual(['first', 'first', 'first', 'second', 'third']);
  });

  it('does not send a reply deleted while it waited for its retry (CANCELLED)', async () => {
    const psid = newPsid();
    const ticket = await conversationWith(psid);
    await waitFor(async () => (await pendingJobs(server, SEND_MESSENGER_MESSAGE)) === 0);
    graph.fail(1, 429, { message: 'Too many calls', code: 613 }, { 'retry-after': '3' });
    const message = await reply(ticket.id, 'Oops, wrong customer');
    await waitFor(() => graph.sendsTo(psid).some((call) => call.body.message?.text === 'Oops, wrong customer'));
    await cast.agent.client.data(DeleteMessageDocument, { id: message.id });
    await waitFor(async () => (await deliveryState(ticket.id, message.id)) === 'CANCELLED', 8_000);
    expect(graph.sendsTo(psid).filter((call) => call.body.message?.text === 'Oops, wrong customer')).toHaveLength(1);
  });

  it('splits a long reply into Send API messages of at most 2000 characters', async () => {
    const psid = newPsid();
    const ticket = await conversationWith(psid);
    const long = Array.from({ length: 450 }, (_, n) => `word${n}`).join(' ');
    const message = await reply(ticket.id, long);
    await waitFor(async () => (await deliveryState(ticket.id, message.id)) === 'SENT');
    const pieces = graph.sendsTo(psid).map((call) => call.body.message?.text ?? '').filter((text) => text.startsWith('word') || text.includes(' word'));
    expect(pieces.length).toBeGreaterThan(1);
    expect(pieces.every((piece) => [...piece].length <= 2000)).toBe(true);
    expect(pieces.join(' ')).toBe(long);
  });

  it('sends attachments as signed links that Meta fetches from PUBLIC_URL', async () => {
    const psid = newPsid();
    const ticket = await conversationWith(psid);
    const attachmentId = await uploaded(server, cast.agent.token);
    const { sendMessage } = await cast.agent.client.data(SendMessageWithAttachmentsDocument, { input: { ticketId: ticket.id, body: 'See the picture', attachmentIds: [attachmentId] } });
    await waitFor(async () => (await deliveryState(ticket.id, sendMessage.message.id)) === 'SENT');
    const image = graph.sendsTo(psid).find((call) => call.body.message?.attachment)!;
    expect(image.body.message!.attachment!.type).toBe('image');
    const link = new URL(image.body.message!.attachment!.payload.url);
    expect(link.origin).toBe(PUBLIC_URL);
    // The same link, against this server, serves the file to anyone holding it, as Meta does.
    const file = await fetch(`${origin(server)}${link.pathname}${link.search}`);
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe('image/png');
  });
});

describe('the acknowledgement on Messenger', () => {
  // A server of its own: acknowledgements on (they are off above, so replies there are counted exactly).
  let ackGraph: GraphStandIn;
  let ackServer: TestServer;
  beforeAll(async () => {
    ackGraph = await new GraphStandIn().start();
    ackServer = await startTestServer({ env: { ...messengerEnv(ackGraph), ...FAST_JOBS, AUTO_ACK_DELAY_MS: '50' } });
  });
  afterAll(async () => {
    await ackServer.stop();
    await ackGraph.stop();
  });

  it('goes out to the customer on Messenger, and is marked SENT', async () => {
    const psid = newPsid();
    expect((await deliver(ackServer, textEvent(psid, newMid(), 'Refund question'))).status).toBe(200);
    const ticket = await waitFor(async () => {
      const fork = ackServer.app.services.orm.em.fork();
      const user = await fork.findOne(User, { messengerPsid: psid });
      return user ? fork.findOne(Ticket, { customer: user.id }) : null;
    });
    const [ack] = await waitFor(() => {
      const calls = ackGraph.sendsTo(psid).filter((call) => call.body.message?.text?.includes(ticket.number));
      return calls.length ? calls : null;
    });
    expect(ack.body.message!.text).toMatch(/^Thanks for reaching out!/);
    await waitFor(async () => {
      const rows = await ackServer.app.services.orm.em
        .getConnection()
        .execute<{ delivery_state: string }[]>(`select delivery_state from messages where ticket_id = ? and author_kind = 'SYSTEM'`, [ticket.id]);
      return rows[0]?.delivery_state === 'SENT';
    });
  });
});
