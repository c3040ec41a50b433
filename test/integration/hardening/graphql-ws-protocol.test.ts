import WebSocket from 'ws';
import { createCast, createCustomer, type Cast } from '../../support/factories';
import type { TestServer } from '../../support/server';
import { waitFor } from '../../support/ws-client';
import { startHardenedServer, type HardenedServer } from './support';

/** The graphql-transport-ws protocol, spoken badly on purpose by a raw websocket. */

interface Raw {
  socket: WebSocket;
  messages: Record<string, unknown>[];
  closed: Promise<{ code: number; reason: string; afterMs: number }>;
  send(message: unknown): void;
}

const open = new Set<WebSocket>();
afterEach(() => {
  for (const socket of open) socket.terminate();
  open.clear();
});

let server: HardenedServer;
let cast: Cast;
let revokedToken: string;
beforeAll(async () => {
  server = await startHardenedServer({ WS_CONNECTION_INIT_TIMEOUT_MS: '300' });
  cast = await createCast(server as unknown as TestServer);
  const revoked = await createCustomer(server as unknown as TestServer);
  await server.app.services.orm.em.getConnection().execute(`update sessions set revoked_at = now() where id = ?`, [revoked.sessionId]);
  revokedToken = `Bearer ${revoked.token}`;
});
afterAll(() => server.stop());

async function connect(protocol: string | null = 'graphql-transport-ws'): Promise<Raw> {
  const started = Date.now();
  const socket = protocol ? new WebSocket(server.wsUrl, protocol) : new WebSocket(server.wsUrl);
  open.add(socket);
  const messages: Record<string, unknown>[] = [];
  socket.on('message', (data) => messages.push(JSON.parse(String(data))));
  socket.on('error', () => undefined);
  const closed = new Promise<{ code: number; reason: string; afterMs: number }>((resolve) =>
    socket.once('close', (code, reason) => resolve({ code, reason: String(reason), afterMs: Date.now() - started })),
  );
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  return { socket, messages, closed, send: (message) => socket.send(typeof message === 'string' ? message : JSON.stringify(message)) };
}

async function acknowledged(token?: string): Promise<Raw> {
  const raw = await connect();
  raw.send({ type: 'connection_init', payload: token ? { authorization: `Bearer ${token}` } : {} });
  await waitFor(() => raw.messages.some((message) => message.type === 'connection_ack'));
  return raw;
}

it('closes a socket that sends no connection_init in time with 4408', async () => {
  const raw = await connect();
  const { code, reason, afterMs } = await raw.closed;
  expect({ code, reason }).toEqual({ code: 4408, reason: 'Connection initialisation timeout' });
  expect(afterMs).toBeLessThan(2000);
});

it('closes on a second connection_init with 4429', async () => {
  const raw = await acknowledged();
  raw.send({ type: 'connection_init', payload: {} });
  expect((await raw.closed).code).toBe(4429);
});

it('closes on a subscribe before the acknowledgement with 4401', async () => {
  const raw = await connect();
  raw.send({ id: '1', type: 'subscribe', payload: { query: '{ __typename }' } });
  expect((await raw.closed).code).toBe(4401);
});

it('closes on a subscribe sent while connection_init is still being checked with 4401, leaving nothing behind', async () => {
  const stats = () => server.app.services.realtime.stats();
  const before = stats().channels;
  const raw = await connect();
  raw.send({ type: 'connection_init', payload: { authorization: `Bearer ${cast.agent.token}` } });
  raw.send({ id: '1', type: 'subscribe', payload: { query: '{ __typename }' } });
  expect((await raw.closed).code).toBe(4401);
  // The token check finishes after the close: no session watch (a channel, a timer) may outlive the socket.
  await waitFor(() => stats().sockets === 0);
  const probe = await acknowledged();
  probe.socket.terminate();
  await waitFor(() => stats().sockets === 0);
  expect(stats().channels).toBe(before);
});

it('closes on a duplicate operation id with 4409', async () => {
  const raw = await acknowledged(cast.agent.token);
  const subscription = { id: 'same', type: 'subscribe', payload: { query: 'subscription { ticketCreated { id } }' } };
  raw.send(subscription);
  raw.send(subscription);
  const { code, reason } = await raw.closed;
  expect({ code, reason }).toEqual({ code: 4409, reason: 'Subscriber for same already exists' });
});

it.each([
  ['not JSON', '{"type": '],
  ['an unknown type', { type: 'bogus' }],
  ['a subscribe without an id', { type: 'subscribe', payload: { query: '{ __typename }' } }],
  ['a subscribe without a query', { id: '1', type: 'subscribe', payload: {} }],
  ['a JSON array', [1, 2]],
])('closes on an invalid message (%s) with 4400', async (_name, message) => {
  const raw = await acknowledged();
  raw.send(message);
  expect((await raw.closed).code).toBe(4400);
});

it.each([
  ['a malformed token', () => 'Bearer not-a-jwt'],
  ['a token signed with another secret', () => 'Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl'],
  ['the token of a revoked session', () => revokedToken],
])('closes a connection_init with %s with 4403', async (_name, authorization) => {
  const raw = await connect();
  raw.send({ type: 'connection_init', payload: { authorization: authorization() } });
  const { code, reason } = await raw.closed;
  expect(code).toBe(4403);
  expect(reason).toBe('Forbidden');
});

it('closes a socket that sends a frame over 64 KiB with 1009', async () => {
  const raw = await acknowledged(cast.agent.token);
  raw.send({ id: '1', type: 'subscribe', payload: { query: '{ __typename }', variables: { padding: 'x'.repeat(64 * 1024) } } });
  expect((await raw.closed).code).toBe(1009);
});

it('refuses a socket without the graphql-transport-ws subprotocol (4406)', async () => {
  const raw = await connect(null);
  expect((await raw.closed).code).toBe(4406);
});

it('keeps serving well-behaved sockets meanwhile', async () => {
  const raw = await acknowledged(cast.customerA.token);
  raw.send({ id: 'ok', type: 'subscribe', payload: { query: '{ viewer { name } }' } });
  await waitFor(() => raw.messages.find((message) => message.id === 'ok' && message.type === 'complete'));
  expect(raw.messages.find((message) => message.type === 'next')).toEqual({ id: 'ok', type: 'next', payload: { data: { viewer: { name: 'Alice Customer' } } } });
});
