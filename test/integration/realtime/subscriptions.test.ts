import {
  AssignTicketDocument,
  BulkUpdateTicketsDocument,
  MarkTicketReadDocument,
  OnMessageAddedDocument,
  OnMessagesReadDocument,
  OnPresenceDocument,
  OnTicketCreatedDocument,
  OnTicketStatusChangedDocument,
  OnTicketUpdatedDocument,
  OnTypingDocument,
  SetTypingDocument,
  TicketMessagesDocument,
  UpdateTicketPriorityDocument,
  UpdateTicketStatusDocument,
} from '../../__generated__/graphql';
import { createCast, type Cast } from '../../support/factories';
import { startTestServer, type TestServer } from '../../support/server';
import { connectWs, disposeWsClients, waitFor } from '../../support/ws-client';
import { openTicket, send, streamsLive } from './helpers';

const TYPING_TIMEOUT_MS = 800;

let server: TestServer;
let cast: Cast;

beforeAll(async () => {
  // Small catch-up batches, so a replay of a dozen messages already takes several rounds.
  server = await startTestServer({ redis: true, realtime: { typingTimeoutMs: TYPING_TIMEOUT_MS, catchUpBatchSize: 5 } });
  cast = await createCast(server);
});
afterEach(async () => {
  await disposeWsClients();
  await waitFor(() => server.app.services.realtime.stats().streams === 0, 5000, 'every stream to close');
});
afterAll(() => server.stop());

const seqs = (data: { messageAdded: { seq: number } }[]) => data.map((item) => item.messageAdded.seq);
const ws = (token: string) => connectWs(server.wsUrl, { token });

describe('messageAdded on one ticket', () => {
  it('delivers a message sent after subscribing', async () => {
    const ticketId = await openTicket(cast.customerA);
    const sub = ws(cast.customerA.token).subscribe(OnMessageAddedDocument, { ticketId });
    await waitFor(streamsLive(server, 1));
    const sent = await send(cast.agent, ticketId, 'Hello from support');
    const got = await sub.waitForMessage();
    expect(got.messageAdded).toMatchObject({ id: sent.id, seq: sent.seq, body: 'Hello from support', ticket: { id: ticketId }, author: { id: cast.agent.user.id } });
  });

  describe('as a customer', () => {
    it('never receives internal notes, live or replayed', async () => {
      const ticketId = await openTicket(cast.customerA);
      const staff = ws(cast.agent.token).subscribe(OnMessageAddedDocument, { ticketId });
      const live = ws(cast.customerA.token).subscribe(OnMessageAddedDocument, { ticketId });
      await waitFor(streamsLive(server, 2));
      const note = await send(cast.agent, ticketId, 'Customer seems upset', true);
      const reply = await send(cast.agent, ticketId, 'We are on it');
      // Same channel, same order: once the reply is here, the note would have been too.
      await live.waitForMessage((data) => data.messageAdded.id === reply.id);
      expect(live.data.map((data) => data.messageAdded.id)).toEqual([reply.id]);
      await staff.waitForCount(2);
      expect(staff.data.map((data) => data.messageAdded.id)).toEqual([note.id, reply.id]);

      const replay = ws(cast.customerA.token).subscribe(OnMessageAddedDocument, { ticketId, afterSeq: note.seq - 1 });
      await replay.waitForMessage();
      const marker = await send(cast.customerA, ticketId, 'Thanks');
      await replay.waitForMessage((data) => data.messageAdded.id === marker.id);
      expect(replay.data.map((data) => data.messageAdded.id)).toEqual([reply.id, marker.id]);
    });

    it("cannot subscribe to another customer's ticket: NOT_FOUND, as for a ticket that does not exist, and no events", async () => {
      const ticketId = await openTicket(cast.customerA);
      const intruder = ws(cast.customerB.token);
      const theirs = intruder.subscribe(OnMessageAddedDocument, { ticketId });
      const missing = intruder.subscribe(OnMessageAddedDocument, { ticketId: 'tkt_01jzzzzzzzzzzzzzzzzzzzzzzz' });
      const [theirsError] = await theirs.waitForError();
      const [missingError] = await missing.waitForError();
      expect(theirsError.extensions?.code).toBe('NOT_FOUND');
      expect(theirsError.message).toBe(missingError.message);
      await theirs.waitForComplete();

      const owner = ws(cast.customerA.token).subscribe(OnMessageAddedDocument, { ticketId });
      await waitFor(streamsLive(server, 1));
      const sent = await send(cast.agent, ticketId, 'For Alice only');
      await owner.waitForMessage((data) => data.messageAdded.id === sent.id);
      expect(theirs.data).toEqual([]);
      expect(server.app.services.realtime.stats().streams).toBe(1);
    });

    it('may not follow every ticket: FORBIDDEN', async () => {
      const sub = ws(cast.customerA.token).subscribe(OnMessageAddedDocument, {});
      expect((await sub.waitForError())[0].extensions?.code).toBe('FORBIDDEN');
    });
  });

  it('refuses an anonymous socket with UNAUTHENTICATED', async () => {
    const ticketId = await openTicket(cast.customerA);
    const sub = connectWs(server.wsUrl).subscribe(OnMessageAddedDocument, { ticketId });
    expect((await sub.waitForError())[0].extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('rejects afterSeq without a ticketId, and a negative afterSeq, with BAD_USER_INPUT', async () => {
    const connection = ws(cast.agent.token);
    expect((await connection.subscribe(OnMessageAddedDocument, { afterSeq: 3 }).waitForError())[0].extensions?.code).toBe('BAD_USER_INPUT');
    const ticketId = await openTicket(cast.customerA);
    expect((await connection.subscribe(OnMessageAddedDocument, { ticketId, afterSeq: -1 }).waitForError())[0].extensions?.code).toBe('BAD_USER_INPUT');
  });
});

describe('messageAdded across a reconnect (afterSeq)', () => {
  it('gives a returning client exactly what it missed, in order, then the live ones', async () => {
    const ticketId = await openTicket(cast.customerA);
    const first = ws(cast.customerA.token);
    const before = first.subscribe(OnMessageAddedDocument, { ticketId });
    await waitFor(streamsLive(server, 1));
    const seen = await send(cast.agent, ticketId, 'one');
    await before.waitForMessage((data) => data.messageAdded.id === seen.id);
    const lastSeen = before.data[before.data.length - 1].messageAdded.seq;
    await first.dispose();

    const missed = [];
    for (let i = 0; i < 7; i++) missed.push(await send(i % 2 ? cast.customerA : cast.agent, ticketId, `missed ${i}`));
    await send(cast.agent, ticketId, 'staff only', true);

    const resumed = ws(cast.customerA.token).subscribe(OnMessageAddedDocument, { ticketId, afterSeq: lastSeen });
    await resumed.waitForCount(missed.length);
    const live = await send(cast.agent, ticketId, 'live again');
    await resumed.waitForMessage((data) => data.messageAdded.id === live.id);
    expect(resumed.data.map((data) => data.messageAdded.id)).toEqual([...missed, live].map((message) => message.id));

    // Ticket.messages(afterSeq) answers the same over HTTP.
    const { ticket } = await cast.customerA.client.data(TicketMessagesDocument, { id: ticketId, afterSeq: lastSeen, first: 50 });
    expect(ticket?.messages.nodes.map((node) => node.id)).toEqual([...missed, live].map((message) => message.id));
  });

  it('has no gap and no duplicate when messages keep arriving during the replay', async () => {
    const ticketId = await openTicket(cast.customerA);
    for (let i = 0; i < 12; i++) await send(cast.agent, ticketId, `before ${i}`);
    let sending = true;
    const sender = (async () => {
      const sent = [];
      for (let i = 0; i < 40 && sending; i++) sent.push(await send(i % 3 ? cast.agent : cast.customerA, ticketId, `during ${i}`));
      return sent;
    })();
    const sub = ws(cast.customerA.token).subscribe(OnMessageAddedDocument, { ticketId, afterSeq: 0 });
    await sub.waitForCount(20, 10_000);
    sending = false;
    const sent = await sender;
    const last = sent[sent.length - 1].seq;
    await sub.waitForMessage((data) => data.messageAdded.seq === last, 10_000);
    const received = seqs(sub.data);
    expect(received).toEqual([...received].sort((a, b) => a - b));
    expect(new Set(received).size).toBe(received.length);
    expect(received[received.length - 1]).toBe(last);
    expect(received).toEqual(Array.from({ length: last }, (_, index) => index + 1));
  });
});

describe('messageAdded on every ticket (staff)', () => {
  it('delivers messages of any ticket, internal notes included', async () => {
    const sub = ws(cast.supervisor.token).subscribe(OnMessageAddedDocument, {});
    await waitFor(streamsLive(server, 1));
    const a = await openTicket(cast.customerA);
    const b = await openTicket(cast.customerB);
    const fromA = await send(cast.customerA, a, 'from A');
    const note = await send(cast.agent, b, 'note on B', true);
    await sub.waitForMessage((data) => data.messageAdded.id === note.id);
    expect(sub.data.map((data) => data.messageAdded.id)).toEqual(expect.arrayContaining([fromA.id, note.id]));
  });
});

describe('ticket streams', () => {
  it('tells the customer about status changes and every other change of their ticket', async () => {
    const ticketId = await openTicket(cast.customerA);
    const connection = ws(cast.customerA.token);
    const status = connection.subscribe(OnTicketStatusChangedDocument, { ticketId });
    const updated = connection.subscribe(OnTicketUpdatedDocument, { ticketId });
    await waitFor(streamsLive(server, 2));
    await cast.agent.client.data(UpdateTicketPriorityDocument, { input: { ticketId, priority: 'HIGH' } });
    await cast.agent.client.data(UpdateTicketStatusDocument, { input: { ticketId, status: 'WAITING_ON_CUSTOMER' } });
    const changed = await status.waitForMessage();
    expect(changed.ticketStatusChanged).toMatchObject({ kind: 'STATUS_CHANGED', toStatus: 'WAITING_ON_CUSTOMER', ticket: { id: ticketId, status: 'WAITING_ON_CUSTOMER' }, actor: { id: cast.agent.user.id } });
    const all = await updated.waitForCount(2);
    expect(all.map((data) => data.ticketUpdated.kind)).toEqual(['PRIORITY_CHANGED', 'STATUS_CHANGED']);
    expect(status.data).toHaveLength(1);
  });

  it('lets staff follow every ticket, and refuses customers that', async () => {
    const all = ws(cast.agent.token).subscribe(OnTicketStatusChangedDocument, {});
    const refused = ws(cast.customerA.token).subscribe(OnTicketUpdatedDocument, {});
    expect((await refused.waitForError())[0].extensions?.code).toBe('FORBIDDEN');
    await waitFor(streamsLive(server, 1));
    const ticketId = await openTicket(cast.customerB);
    await cast.customerB.client.data(UpdateTicketStatusDocument, { input: { ticketId, status: 'CLOSED' } });
    expect((await all.waitForMessage((data) => data.ticketStatusChanged.ticket.id === ticketId)).ticketStatusChanged).toMatchObject({
      toStatus: 'CLOSED',
      actor: { id: cast.customerB.user.id },
    });
  });

  it('publishes nothing for a bulk update that rolled back', async () => {
    const assigned = await openTicket(cast.customerA, 'assigned');
    const unassigned = await openTicket(cast.customerA, 'unassigned');
    await cast.supervisor.client.data(AssignTicketDocument, { input: { ticketId: assigned, agentId: cast.agent.agent!.id } });
    const sub = ws(cast.agent.token).subscribe(OnTicketUpdatedDocument, {});
    await waitFor(streamsLive(server, 1));
    // The first ticket changes in the transaction, the second cannot: the whole update rolls back.
    const error = await cast.agent.client.error('BAD_USER_INPUT', BulkUpdateTicketsDocument, {
      input: { ticketIds: [assigned, unassigned], status: 'IN_PROGRESS' },
    });
    expect(error.message).toMatch(/assign/i);
    await cast.agent.client.data(UpdateTicketPriorityDocument, { input: { ticketId: unassigned, priority: 'LOW' } });
    await sub.waitForMessage((data) => data.ticketUpdated.kind === 'PRIORITY_CHANGED');
    expect(sub.data.map((data) => [data.ticketUpdated.kind, data.ticketUpdated.ticket.id])).toEqual([['PRIORITY_CHANGED', unassigned]]);
  });

  it('announces new tickets to staff only', async () => {
    const created = ws(cast.agent.token).subscribe(OnTicketCreatedDocument);
    const refused = ws(cast.customerA.token).subscribe(OnTicketCreatedDocument);
    expect((await refused.waitForError())[0].extensions?.code).toBe('FORBIDDEN');
    await waitFor(streamsLive(server, 1));
    const ticketId = await openTicket(cast.customerB, 'New one');
    expect((await created.waitForMessage()).ticketCreated).toMatchObject({ id: ticketId, subject: 'New one', customer: { id: cast.customerB.user.id } });
  });

  it('tells the other side when someone reads the ticket', async () => {
    const ticketId = await openTicket(cast.customerA);
    const reply = await send(cast.agent, ticketId, 'Have a look');
    const sub = ws(cast.agent.token).subscribe(OnMessagesReadDocument, { ticketId });
    await waitFor(streamsLive(server, 1));
    await cast.customerA.client.data(MarkTicketReadDocument, { ticketId });
    expect((await sub.waitForMessage()).messagesRead).toMatchObject({ ticketId, lastReadSeq: reply.seq, user: { id: cast.customerA.user.id } });
    const refused = ws(cast.customerB.token).subscribe(OnMessagesReadDocument, { ticketId });
    expect((await refused.waitForError())[0].extensions?.code).toBe('NOT_FOUND');
  });
});

describe('typing', () => {
  it('turns a typing state without a refresh into isTyping: false after the timeout, once', async () => {
    const ticketId = await openTicket(cast.customerA);
    const sub = ws(cast.agent.token).subscribe(OnTypingDocument, { ticketId });
    await waitFor(streamsLive(server, 1));
    await cast.customerA.client.data(SetTypingDocument, { ticketId, isTyping: true });
    // A refresh is not a new event: only transitions are announced. The server's timer starts
    // after the request does, so the stop cannot come sooner than the timeout from here.
    const refreshedAt = Date.now();
    await cast.customerA.client.data(SetTypingDocument, { ticketId, isTyping: true });
    await sub.waitForMessage((data) => !data.typing.isTyping, TYPING_TIMEOUT_MS * 4);
    expect(Date.now() - refreshedAt).toBeGreaterThanOrEqual(TYPING_TIMEOUT_MS - 5);
    expect(sub.data.map((data) => [data.typing.user.id, data.typing.isTyping])).toEqual([
      [cast.customerA.user.id, true],
      [cast.customerA.user.id, false],
    ]);
    expect(server.app.services.realtime.stats().typingTimers).toBe(0);
  });

  it("is refused on someone else's ticket", async () => {
    const ticketId = await openTicket(cast.customerA);
    await cast.customerB.client.error('NOT_FOUND', SetTypingDocument, { ticketId, isTyping: true });
    const sub = ws(cast.customerB.token).subscribe(OnTypingDocument, { ticketId });
    expect((await sub.waitForError())[0].extensions?.code).toBe('NOT_FOUND');
  });
});

describe("typing, when that user's message arrives", () => {
  // A timeout far beyond the test: a stop seen here can only come from the message.
  let patient: TestServer;
  beforeAll(async () => {
    patient = await startTestServer({ redis: true, databaseUrl: server.databaseUrl, realtime: { typingTimeoutMs: 60_000 } });
  });
  afterAll(() => patient.stop());

  it('stops at once', async () => {
    const ticketId = await openTicket(cast.customerA);
    const typing = connectWs(patient.wsUrl, { token: cast.agent.token }).subscribe(OnTypingDocument, { ticketId });
    await waitFor(streamsLive(patient, 1));
    await patient.client(cast.customerA.token).data(SetTypingDocument, { ticketId, isTyping: true });
    await typing.waitForMessage((data) => data.typing.isTyping);
    // Sent through the other instance: the stop travels through Redis.
    await send(cast.customerA, ticketId, 'Done typing');
    await typing.waitForMessage((data) => !data.typing.isTyping);
    expect(typing.data.map((data) => data.typing.isTyping)).toEqual([true, false]);
    expect(patient.app.services.realtime.stats().typingTimers).toBe(0);
  });
});

describe('presence', () => {
  it('lists everyone viewing, and drops a viewer who unsubscribes or disconnects', async () => {
    const ticketId = await openTicket(cast.customerA);
    const viewers = (data: { presence: { viewers: { id: string }[] } }) => data.presence.viewers.map((user) => user.id).sort();
    const customer = ws(cast.customerA.token).subscribe(OnPresenceDocument, { ticketId });
    expect(viewers(await customer.waitForMessage())).toEqual([cast.customerA.user.id]);

    const agentSocket = ws(cast.agent.token);
    const agent = agentSocket.subscribe(OnPresenceDocument, { ticketId });
    const both = [cast.customerA.user.id, cast.agent.user.id].sort();
    expect(viewers(await agent.waitForMessage())).toEqual(both);
    await customer.waitForMessage((data) => viewers(data).length === 2);

    const supervisor = ws(cast.supervisor.token).subscribe(OnPresenceDocument, { ticketId });
    await supervisor.waitForMessage((data) => viewers(data).length === 3);
    supervisor.dispose();
    await customer.waitForMessage((data) => viewers(data).length === 2 && customer.data.some((earlier) => viewers(earlier).length === 3));

    await agentSocket.dispose();
    await waitFor(() => customer.data.length > 0 && viewers(customer.data[customer.data.length - 1]).length === 1, 5000, 'the agent to leave');
    expect(viewers(customer.data[customer.data.length - 1])).toEqual([cast.customerA.user.id]);
  });

  it("is refused on someone else's ticket", async () => {
    const ticketId = await openTicket(cast.customerA);
    const sub = ws(cast.customerB.token).subscribe(OnPresenceDocument, { ticketId });
    expect((await sub.waitForError())[0].extensions?.code).toBe('NOT_FOUND');
    expect(server.app.services.realtime.stats().presenceEntries).toBe(0);
  });
});
