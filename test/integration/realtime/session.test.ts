import { LoginDocument, LogoutDocument, OnMessageAddedDocument, UpdateAgentDocument } from '../../__generated__/graphql';
import { createAdmin, createAgentActor, createCustomer, DEFAULT_PASSWORD } from '../../support/factories';
import { startTestServer, type TestServer } from '../../support/server';
import { connectWs, disposeWsClients, waitFor } from '../../support/ws-client';
import { openTicket, send, streamsLive } from './helpers';

/** Access tokens live 10 s here (the shortest the configuration allows), so expiry is observable. */
const TTL_SECONDS = 10;

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ redis: true, env: { ACCESS_TOKEN_TTL_SECONDS: String(TTL_SECONDS) } });
});
afterEach(() => disposeWsClients());
afterAll(() => server.stop());

const expiryOf = (token: string) => (JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as { exp: number }).exp * 1000;

it('closes a socket with a bad token with 4403, which graphql-ws clients retry', async () => {
  const closed = await connectWs(server.wsUrl, { token: 'not-a-token' }).closed;
  expect(closed.code).toBe(4403);
});

it('accepts the token the way the explorer sends it (connectionParams.headers)', async () => {
  const customer = await createCustomer(server);
  const ticketId = await openTicket(customer);
  const connection = connectWs(server.wsUrl, { connectionParams: { headers: { Authorization: `Bearer ${customer.token}` } } });
  const sub = connection.subscribe(OnMessageAddedDocument, { ticketId });
  await waitFor(streamsLive(server, 1));
  const sent = await send(customer, ticketId, 'hello');
  expect((await sub.waitForMessage()).messageAdded.id).toBe(sent.id);
});

it(
  'closes the socket with 4403 within a second of the access token expiring',
  async () => {
    const customer = await createCustomer(server);
    const ticketId = await openTicket(customer);
    const connection = connectWs(server.wsUrl, { token: customer.token });
    connection.subscribe(OnMessageAddedDocument, { ticketId });
    const closed = await connection.closed;
    expect(closed.code).toBe(4403);
    const lateBy = closed.at - expiryOf(customer.token);
    expect(lateBy).toBeGreaterThanOrEqual(-50);
    expect(lateBy).toBeLessThan(1000);

    // Meanwhile support answered; the client comes back with a refreshed token and resumes.
    const sent = await send(await createAgentActor(server), ticketId, 'while you were away');
    const { token } = await server.app.services.tokens.issue(customer.user.id, customer.user.role, customer.sessionId);
    const resumed = connectWs(server.wsUrl, { token }).subscribe(OnMessageAddedDocument, { ticketId, afterSeq: 0 });
    expect((await resumed.waitForMessage()).messageAdded.id).toBe(sent.id);
  },
  (TTL_SECONDS + 10) * 1000,
);

it("logout closes that session's sockets and only those", async () => {
  const customer = await createCustomer(server);
  const ticketId = await openTicket(customer);
  const login = async () => (await server.anonymous.data(LoginDocument, { input: { email: customer.user.email!, password: DEFAULT_PASSWORD } })).login;
  const [phone, laptop] = [await login(), await login()];
  const phoneSocket = connectWs(server.wsUrl, { token: phone.token });
  phoneSocket.subscribe(OnMessageAddedDocument, { ticketId });
  const laptopSocket = connectWs(server.wsUrl, { token: laptop.token });
  const laptopSub = laptopSocket.subscribe(OnMessageAddedDocument, { ticketId });
  await waitFor(streamsLive(server, 2));

  await server.anonymous.data(LogoutDocument, { refreshToken: phone.refreshToken });
  expect((await phoneSocket.closed).code).toBe(4403);
  const sent = await send(customer, ticketId, 'still here');
  expect((await laptopSub.waitForMessage()).messageAdded.id).toBe(sent.id);
});

it('closes the sockets of a deactivated user', async () => {
  const [agent, admin] = await Promise.all([createAgentActor(server), createAdmin(server)]);
  const socket = connectWs(server.wsUrl, { token: agent.token });
  socket.subscribe(OnMessageAddedDocument, {});
  await waitFor(streamsLive(server, 1));
  await admin.client.data(UpdateAgentDocument, { input: { id: agent.agent!.id, active: false } });
  expect((await socket.closed).code).toBe(4403);
});

it('re-checks the viewer on every event: a session ended behind its back delivers nothing more', async () => {
  const customer = await createCustomer(server);
  const ticketId = await openTicket(customer);
  const sub = connectWs(server.wsUrl, { token: customer.token }).subscribe(OnMessageAddedDocument, { ticketId });
  await waitFor(streamsLive(server, 1));
  // Revoked in the database without the SESSION_REVOKED event: only the per-event check can notice.
  await server.app.services.orm.em.getConnection().execute('update sessions set revoked_at = now() where id = ?', [customer.sessionId]);
  const agent = await createAgentActor(server);
  await send(agent, ticketId, 'you should not see this');
  expect((await sub.waitForError())[0].extensions?.code).toBe('UNAUTHENTICATED');
  expect(sub.data).toEqual([]);
});

it('notices a session ended behind the session channel\'s back within a second (the re-check is shared for that long)', async () => {
  const customer = await createCustomer(server);
  const ticketId = await openTicket(customer);
  const sub = connectWs(server.wsUrl, { token: customer.token }).subscribe(OnMessageAddedDocument, { ticketId });
  await waitFor(streamsLive(server, 1));
  const agent = await createAgentActor(server);
  const first = await send(agent, ticketId, 'you see this');
  await sub.waitForMessage((data) => data.messageAdded.id === first.id);

  await server.app.services.orm.em.getConnection().execute('update sessions set revoked_at = now() where id = ?', [customer.sessionId]);
  await new Promise((resolve) => setTimeout(resolve, 1100));
  await send(agent, ticketId, 'but not this');
  expect((await sub.waitForError())[0].extensions?.code).toBe('UNAUTHENTICATED');
  expect(sub.data.map((data) => data.messageAdded.id)).toEqual([first.id]);
});

it('keeps the answer of a session with live subscriptions renewed in the background, so later events do not wait for a read', async () => {
  const customer = await createCustomer(server);
  const ticketId = await openTicket(customer);
  const connection = connectWs(server.wsUrl, { token: customer.token });
  const sub = connection.subscribe(OnMessageAddedDocument, { ticketId });
  await waitFor(streamsLive(server, 1));
  const agent = await createAgentActor(server);
  const { counts } = server.app.services.realtime.viewers;
  const first = await send(agent, ticketId, 'read on arrival');
  await sub.waitForMessage((data) => data.messageAdded.id === first.id);
  const waited = counts.waited;

  // Past the age limit of the answer the first event read; then, right after a renewal, the next event.
  await new Promise((resolve) => setTimeout(resolve, 1100));
  const renewed = counts.renewed;
  await waitFor(() => counts.renewed > renewed, 5000, 'a renewal');
  const second = await send(agent, ticketId, 'delivered on the renewed answer');
  await sub.waitForMessage((data) => data.messageAdded.id === second.id);
  expect(counts.waited).toBe(waited);

  // Once the session has no subscription left here, it is not renewed any more.
  await connection.dispose();
  await waitFor(() => server.app.services.realtime.stats().streams === 0, 5000, "the stream to close");
  await new Promise((resolve) => setTimeout(resolve, 600));
  const afterClose = counts.renewed;
  await new Promise((resolve) => setTimeout(resolve, 1100));
  expect(counts.renewed).toBe(afterClose);
});
