import type { Socket } from 'node:net';
import { GraphQLError, type ValidationRule } from 'graphql';
import { CreateTicketDocument, OnMessageAddedDocument, OnPresenceDocument, OnTypingDocument, SetTypingDocument, UpdateTicketPriorityDocument } from '../../__generated__/graphql';
import { extraValidationRules } from '../../../src/server/validation-rules';
import { createCast, type Cast } from '../../support/factories';
import { startTestServer, type TestServer, type TestServerOptions } from '../../support/server';
import { connectWs, disposeWsClients, openRawSocket, waitFor, type RawSocket } from '../../support/ws-client';
import { openTicket, send, streamsLive } from './helpers';
import { availableAgent, openTicket as openRoutedTicket, uniqueDepartment } from '../routing/helpers';

/** The websocket path's own protections: what graphql-ws would otherwise let through. */

afterEach(() => disposeWsClients());

async function withServer(options: TestServerOptions, run: (server: TestServer, cast: Cast) => Promise<void>): Promise<void> {
  const server = await startTestServer(options);
  try {
    await run(server, await createCast(server));
    await disposeWsClients();
  } finally {
    await server.stop();
  }
}

describe('limits', () => {
  let server: TestServer;
  let cast: Cast;
  beforeAll(async () => {
    server = await startTestServer({ redis: true, realtime: { maxSubscriptionsPerSocket: 3 } });
    cast = await createCast(server);
  });
  afterAll(() => server.stop());

  it('closes a socket that sends a frame over 64 KiB (1009)', async () => {
    const raw = await openRawSocket(server.wsUrl, cast.agent.token);
    raw.send({ id: '1', type: 'subscribe', payload: { query: `subscription { ticketCreated { id } } # ${'x'.repeat(70 * 1024)}` } });
    expect((await raw.closed).code).toBe(1009);
  });

  it('answers RATE_LIMITED past the operations allowed on one socket, and keeps the others', async () => {
    const ticketId = await openTicket(cast.customerA);
    const connection = connectWs(server.wsUrl, { token: cast.customerA.token });
    const allowed = [1, 2, 3].map(() => connection.subscribe(OnMessageAddedDocument, { ticketId }));
    await waitFor(streamsLive(server, 3));
    const refused = connection.subscribe(OnTypingDocument, { ticketId });
    expect((await refused.waitForError())[0].extensions?.code).toBe('RATE_LIMITED');
    const sent = await send(cast.agent, ticketId, 'all three get this');
    for (const sub of allowed) expect((await sub.waitForMessage()).messageAdded.id).toBe(sent.id);
  });

  it('reports parse and validation errors with their codes and a request id', async () => {
    const raw = await openRawSocket(server.wsUrl, cast.agent.token);
    raw.send({ id: 'a', type: 'subscribe', payload: { query: 'subscription { ticketCreated { ' } });
    raw.send({ id: 'b', type: 'subscribe', payload: { query: 'subscription { ticketCreated { nope } }' } });
    await waitFor(() => raw.messages.filter((message) => message.type === 'error').length === 2);
    const errorOf = (id: string) => (raw.messages.find((message) => message.id === id)!.payload as { extensions: Record<string, unknown> }[])[0].extensions;
    expect(errorOf('a')).toMatchObject({ code: 'GRAPHQL_PARSE_FAILED', requestId: expect.any(String) });
    expect(errorOf('b')).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED', requestId: expect.any(String) });
  });

  it('applies the extra validation rules to both transports', async () => {
    const rule: ValidationRule = (context) => ({
      OperationDefinition(node) {
        if (node.name?.value === 'Blocked') context.reportError(new GraphQLError('Blocked by an extra rule.', { nodes: node }));
      },
    });
    // Rules are read when the server starts, as the hardening rules will be.
    extraValidationRules.push(rule);
    try {
      await withServer({}, async (ruled, people) => {
        const http = await people.agent.client.request<{ __typename: string }, Record<string, never>>('query Blocked { __typename }');
        expect(http.errors?.[0]).toMatchObject({ message: 'Blocked by an extra rule.', extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } });
        const raw = await openRawSocket(ruled.wsUrl, people.agent.token);
        raw.send({ id: '1', type: 'subscribe', payload: { query: 'subscription Blocked { ticketCreated { id } }' } });
        await waitFor(() => raw.messages.find((message) => message.type === 'error'));
        expect(raw.messages.find((message) => message.type === 'error')?.payload).toMatchObject([
          { message: 'Blocked by an extra rule.', extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } },
        ]);
      });
    } finally {
      extraValidationRules.splice(extraValidationRules.indexOf(rule), 1);
    }
  });
});

describe('a consumer that stops reading', () => {
  /** A history row to announce again and again, and a selection that makes each frame ~100 KB. */
  async function prepare(server: TestServer, cast: Cast) {
    const { createTicket } = await cast.customerA.client.data(CreateTicketDocument, {
      input: { subject: 'Big', description: 'd'.repeat(5000) },
    });
    const ticketId = createTicket.ticket.id;
    await cast.agent.client.data(UpdateTicketPriorityDocument, { input: { ticketId, priority: 'HIGH' } });
    const [{ id: eventId }] = await server.app.services.orm.em
      .getConnection()
      .execute<{ id: string }[]>(`select id from ticket_events where ticket_id = ? and kind = 'PRIORITY_CHANGED'`, [ticketId]);
    const aliases = Array.from({ length: 20 }, (_, index) => `t${index}: ticket { description }`).join(' ');
    const query = `subscription { ticketUpdated(ticketId: "${ticketId}") { kind ${aliases} } }`;
    return { ticketId, eventId, query };
  }

  /** Stops reading the socket (the kernel buffers fill, then the server's writes stall). */
  const stopReading = (raw: RawSocket) => (raw.socket as unknown as { _socket: Socket })._socket.pause();

  async function flood(server: TestServer, ticketId: string, eventId: string): Promise<number> {
    const { events, realtime } = server.app.services;
    let published = 0;
    while (realtime.stats().sockets > 0 && published < 5000) {
      await events.ticket(Array.from({ length: 25 }, () => ({ type: 'TICKET_EVENT' as const, ticketId, eventId, kind: 'PRIORITY_CHANGED' })));
      published += 25;
      await new Promise((resolve) => setImmediate(resolve));
    }
    return published;
  }

  it('is dropped once its subscription falls maxQueuedEvents behind', () =>
    withServer({ redis: true, realtime: { maxQueuedEvents: 20, maxBufferedBytes: 64 * 1024 * 1024 } }, async (server, cast) => {
      const { ticketId, eventId, query } = await prepare(server, cast);
      const raw = await openRawSocket(server.wsUrl, cast.agent.token);
      raw.send({ id: '1', type: 'subscribe', payload: { query } });
      await waitFor(streamsLive(server, 1));
      stopReading(raw);
      const published = await flood(server, ticketId, eventId);
      await waitFor(() => server.app.services.realtime.stats().sockets === 0 && server.app.services.realtime.stats().streams === 0, 10_000, 'the socket to be dropped');
      expect(published).toBeLessThan(5000);
    }));

  it('is dropped once frames pile up past maxBufferedBytes across its operations', () =>
    withServer({ redis: true, realtime: { maxQueuedEvents: 100_000, maxBufferedBytes: 256 * 1024 } }, async (server, cast) => {
      const { ticketId, eventId, query } = await prepare(server, cast);
      const raw = await openRawSocket(server.wsUrl, cast.agent.token);
      for (const id of ['1', '2', '3', '4', '5']) raw.send({ id, type: 'subscribe', payload: { query } });
      await waitFor(streamsLive(server, 5));
      stopReading(raw);
      const published = await flood(server, ticketId, eventId);
      await waitFor(() => server.app.services.realtime.stats().sockets === 0 && server.app.services.realtime.stats().streams === 0, 10_000, 'the socket to be dropped');
      expect(published).toBeLessThan(5000);
    }));

  it('that stops answering pings is dropped, and leaves the presence list', () =>
    withServer({ redis: true, realtime: { keepAliveMs: 300 } }, async (server, cast) => {
      const ticketId = await openTicket(cast.customerA);
      const watcher = connectWs(server.wsUrl, { token: cast.customerA.token }).subscribe(OnPresenceDocument, { ticketId });
      await watcher.waitForMessage();
      const raw = await openRawSocket(server.wsUrl, cast.agent.token);
      raw.send({ id: '1', type: 'subscribe', payload: { query: `subscription { presence(ticketId: "${ticketId}") { viewers { id } } }` } });
      await watcher.waitForMessage((data) => data.presence.viewers.length === 2);
      stopReading(raw);
      const gone = await watcher.waitForMessage((data) => data.presence.viewers.length === 1 && watcher.data.indexOf(data) > 1, 5000);
      expect(gone.presence.viewers.map((user) => user.id)).toEqual([cast.customerA.user.id]);
      expect(server.app.services.realtime.stats().sockets).toBe(1);
    }));
});

describe('a value that carries field errors', () => {
  it('arrives as a next frame with its errors masked as over HTTP, and the stream goes on', () =>
    withServer({ redis: true }, async (server, cast) => {
      // The assignee's skills are staff-only: a customer selecting them gets FORBIDDEN for that field.
      const department = uniqueDepartment('ws-errors');
      const agent = await availableAgent(server, { department, skills: ['refunds-secret'] });
      const ticketId = await openRoutedTicket(cast.customerA, { department });
      const raw = await openRawSocket(server.wsUrl, cast.customerA.token);
      const query = 'subscription ($ticketId: ID!) { messageAdded(ticketId: $ticketId) { id ticket { assignee { skills } } } }';
      raw.send({ id: 'e1', type: 'subscribe', payload: { query, variables: { ticketId } } });
      await waitFor(streamsLive(server, 1));
      const sent = [await send(agent, ticketId, 'first'), await send(cast.customerA, ticketId, 'second')];
      const frames = () => raw.messages.filter((message) => message.type === 'next') as { id: string; payload: { data: { messageAdded: { id: string; ticket: { assignee: null } } }; errors: Record<string, unknown>[] } }[];
      await waitFor(() => frames().length === 2, 5000, 'two next frames');
      expect(frames().map((frame) => [frame.id, frame.payload.data.messageAdded.id, frame.payload.data.messageAdded.ticket.assignee])).toEqual(sent.map((message) => ['e1', message.id, null]));
      for (const { payload } of frames()) {
        expect(payload.errors).toEqual([
          expect.objectContaining({ path: ['messageAdded', 'ticket', 'assignee', 'skills'], extensions: expect.objectContaining({ code: 'FORBIDDEN', requestId: expect.any(String) }) }),
        ]);
        expect(JSON.stringify(payload)).not.toMatch(/refunds-secret|stacktrace|at .*\.js/);
      }
      expect(raw.messages.some((message) => message.type === 'error' || message.type === 'complete')).toBe(false);
    }));
});

describe('without Redis (one instance, in-process pub/sub)', () => {
  it('delivers messages, typing and presence the same way', () =>
    withServer({ realtime: { typingTimeoutMs: 300 } }, async (server, cast) => {
      expect(server.app.services.pubsub.kind).toBe('in-process');
      const ticketId = await openTicket(cast.customerA);
      const connection = connectWs(server.wsUrl, { token: cast.agent.token });
      const messages = connection.subscribe(OnMessageAddedDocument, { ticketId });
      const typing = connection.subscribe(OnTypingDocument, { ticketId });
      const presence = connection.subscribe(OnPresenceDocument, { ticketId });
      await presence.waitForMessage();
      await waitFor(streamsLive(server, 3));
      await cast.customerA.client.data(SetTypingDocument, { ticketId, isTyping: true });
      await typing.waitForMessage((data) => !data.typing.isTyping);
      const sent = await send(cast.customerA, ticketId, 'no Redis needed');
      expect((await messages.waitForMessage()).messageAdded.id).toBe(sent.id);
      await connection.dispose();
      await waitFor(() => JSON.stringify(server.app.services.realtime.stats()) === JSON.stringify({ sockets: 0, operations: 0, streams: 0, channels: 0, presenceEntries: 0, typingTimers: 0 }));
    }));
});
