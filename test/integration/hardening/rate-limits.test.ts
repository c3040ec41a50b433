import WebSocket from 'ws';
import { createCast, createCustomer, DEFAULT_PASSWORD, type Cast } from '../../support/factories';
import type { TestServer } from '../../support/server';
import { waitFor } from '../../support/ws-client';
import { codesOf, post, startHardenedServer, type GraphQLBody, type HardenedServer, type HttpAnswer } from './support';

/**
 * Every limit with tight values, on Redis, each test from addresses of its own (X-Forwarded-For,
 * trusted from loopback), so tests do not spend each other's budgets.
 */

let server: HardenedServer;
let cast: Cast;
let ipCounter = 0;
/** A fresh client address (TEST-NET-3). */
const freshIp = () => `203.0.113.${++ipCounter}`;

beforeAll(async () => {
  server = await startHardenedServer({
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    TRUST_PROXY: 'loopback',
    RATE_LIMIT_REQUESTS_PER_IP: '60/1m',
    QUERY_MAX_COST: '300',
    RATE_LIMIT_COST_PER_USER: '300/1m',
    RATE_LIMIT_COST_PER_IP: '600/1m',
    RATE_LIMIT_LOGIN_FAILURES_PER_ACCOUNT_AND_IP: '3/15m',
    RATE_LIMIT_LOGIN_FAILURES_PER_ACCOUNT: '7/1h',
    RATE_LIMIT_LOGIN_FAILURES_PER_IP: '8/1h',
    LOGIN_BACKOFF_BASE: '1s',
    LOGIN_BACKOFF_MAX: '1h',
    RATE_LIMIT_SIGNUPS_PER_IP: '2/1h',
    RATE_LIMIT_WS_CONNECTIONS_PER_IP: '3/1m',
    RATE_LIMIT_OPERATIONS_PER_SOCKET: '3/1m',
    RATE_LIMIT_SEND_MESSAGE: '3/1m',
    RATE_LIMIT_SET_TYPING: '2/1m',
  });
  cast = await createCast(server as unknown as TestServer);
});
afterAll(() => server.stop());

/** The answer is a 429 with Retry-After, RATE_LIMITED with retryAfter, and the request id. */
function expectRateLimited(answer: HttpAnswer<GraphQLBody>, retryAfter?: number): void {
  expect(answer.status).toBe(429);
  expect(codesOf(answer)).toContain('RATE_LIMITED');
  const error = answer.body.errors!.find((e) => e.extensions?.code === 'RATE_LIMITED')!;
  const header = Number(answer.headers.get('retry-after'));
  expect(header).toBeGreaterThanOrEqual(1);
  expect(error.extensions?.retryAfter).toBe(header);
  if (retryAfter !== undefined) expect(header).toBe(retryAfter);
  expect(error.extensions?.requestId).toBe(answer.headers.get('x-request-id'));
}

const LOGIN = 'mutation ($input: LoginInput!) { login(input: $input) { token } }';
const login = (email: string, password: string, ip: string) => post(server.url, { query: LOGIN, variables: { input: { email, password } } }, { ip });

describe('requests per IP', () => {
  it('answers 429 with Retry-After once an IP has used its requests, before reading the body', async () => {
    const ip = freshIp();
    for (let i = 0; i < 60; i++) expect((await post(server.url, { query: '{ __typename }' }, { ip })).status).toBe(200);
    const refused = await post(server.url, 'not even json', { ip });
    expectRateLimited(refused);
    expect(refused.body.errors![0].extensions?.retryAfter).toBeLessThanOrEqual(60);
    expect((await post(server.url, { query: '{ __typename }' }, { ip: freshIp() })).status).toBe(200);
  });
});

describe('operation cost', () => {
  const page = '{ tickets(first: 50) { nodes { id } } }'; // 1 + 50 × 2 = 101

  it('spends a user budget by cost, whatever their address', async () => {
    const user = await createCustomer(server as unknown as TestServer);
    expect((await post(server.url, { query: page }, { token: user.token, ip: freshIp() })).status).toBe(200);
    expect((await post(server.url, { query: page }, { token: user.token, ip: freshIp() })).status).toBe(200);
    // 303 > 300: the third page is refused, from yet another address too.
    expectRateLimited(await post(server.url, { query: page }, { token: user.token, ip: freshIp() }));
    expectRateLimited(await post(server.url, { query: '{ viewer { id } }' }, { token: user.token, ip: freshIp() }));
    // Someone else is not affected.
    expect((await post(server.url, { query: page }, { token: cast.customerB.token, ip: freshIp() })).status).toBe(200);
  });

  it('spends an address budget by cost, whoever is signed in', async () => {
    const ip = freshIp();
    for (let i = 0; i < 5; i++) expect((await post(server.url, { query: page }, { ip })).status).toBe(200);
    expectRateLimited(await post(server.url, { query: page }, { ip, token: cast.agent.token }));
  });

  it('spends the same budget over websockets', async () => {
    const user = await createCustomer(server as unknown as TestServer);
    const ip = freshIp();
    const socket = await openSocket({ ip, token: user.token });
    const answers: Record<string, unknown>[] = [];
    for (const id of ['1', '2', '3']) {
      socket.send({ id, type: 'subscribe', payload: { query: page } });
      answers.push(await socket.next(id));
    }
    expect(answers.slice(0, 2).map((a) => a.type)).toEqual(['next', 'next']);
    expect(answers[2]).toMatchObject({ type: 'error', payload: [{ extensions: { code: 'RATE_LIMITED', retryAfter: expect.any(Number) } }] });
    // ...and HTTP sees it spent.
    expectRateLimited(await post(server.url, { query: page }, { token: user.token, ip: freshIp() }));
    socket.close();
  });

  it('spends an address budget over websockets by the address the socket connected from', async () => {
    const ip = freshIp();
    // Anonymous sockets from one address, two operations each (under the per-socket rate).
    const sockets = await Promise.all([1, 2, 3].map(() => openSocket({ ip })));
    const codes: unknown[] = [];
    for (const [index, socket] of sockets.entries()) {
      for (const id of [`${index}a`, `${index}b`]) {
        socket.send({ id, type: 'subscribe', payload: { query: page } });
        const answer = await socket.next(id);
        codes.push(answer.type === 'error' ? (answer.payload as { extensions: { code: string } }[])[0].extensions.code : 'next');
      }
    }
    // Five pages fit the address budget (as over HTTP); the sixth does not.
    expect(codes.slice(5)).toEqual(['RATE_LIMITED']);
    expect(codes.slice(0, 5)).not.toContain('RATE_LIMITED');
    expectRateLimited(await post(server.url, { query: page }, { ip }));
    // Another address has its own budget.
    const other = await openSocket({ ip: freshIp() });
    other.send({ id: 'a', type: 'subscribe', payload: { query: page } });
    expect((await other.next('a')).type).toBe('next');
    for (const socket of [...sockets, other]) socket.close();
  });
});

describe('logins', () => {
  it('blocks an account for the IP guessing it after consecutive failures, even with the right password', async () => {
    const ip = freshIp();
    const { email } = cast.customerA.user;
    for (let i = 0; i < 3; i++) expect(codesOf(await login(email!, 'wrong password', ip))).toEqual(['UNAUTHENTICATED']);
    expectRateLimited(await login(email!, DEFAULT_PASSWORD, ip), 1);
  });

  it('leaves the owner (another IP) and the IP’s other accounts alone', async () => {
    const attacker = freshIp();
    const victim = await createCustomer(server as unknown as TestServer);
    for (let i = 0; i < 3; i++) await login(victim.user.email!, 'guess', attacker);
    expectRateLimited(await login(victim.user.email!, DEFAULT_PASSWORD, attacker));
    expect(codesOf(await login(victim.user.email!, DEFAULT_PASSWORD, freshIp()))).toEqual([]);
    expect(codesOf(await login(cast.customerB.user.email!, DEFAULT_PASSWORD, attacker))).toEqual([]);
  });

  it('doubles the block each time the guessing resumes', async () => {
    const ip = freshIp();
    const target = await createCustomer(server as unknown as TestServer);
    const email = target.user.email!;
    for (let i = 0; i < 3; i++) await login(email, 'guess', ip);
    expectRateLimited(await login(email, 'guess', ip), 1);
    // Attempts while blocked are refused without counting; once the block lifts, guessing resumes.
    await waitFor(async () => codesOf(await login(email, 'guess', ip))[0] === 'UNAUTHENTICATED', 5000, 'the first block to lift');
    for (let i = 0; i < 2; i++) await login(email, 'guess', ip);
    expectRateLimited(await login(email, DEFAULT_PASSWORD, ip), 2);
  });

  it('forgets consecutive failures after a successful login', async () => {
    const ip = freshIp();
    const user = await createCustomer(server as unknown as TestServer);
    for (let i = 0; i < 2; i++) await login(user.user.email!, 'typo', ip);
    expect(codesOf(await login(user.user.email!, DEFAULT_PASSWORD, ip))).toEqual([]);
    for (let i = 0; i < 2; i++) await login(user.user.email!, 'typo', ip);
    expect(codesOf(await login(user.user.email!, DEFAULT_PASSWORD, ip))).toEqual([]);
  });

  it('blocks an IP that fails on many accounts (credential stuffing)', async () => {
    const ip = freshIp();
    for (let i = 0; i < 8; i++) expect(codesOf(await login(`nobody-${i}-${ip}@example.test`, 'x', ip))).toEqual(['UNAUTHENTICATED']);
    expectRateLimited(await login(cast.customerB.user.email!, DEFAULT_PASSWORD, ip));
    expect(codesOf(await login(cast.customerB.user.email!, DEFAULT_PASSWORD, freshIp()))).toEqual([]);
  });

  it('blocks an account guessed from many IPs (distributed guessing)', async () => {
    const user = await createCustomer(server as unknown as TestServer);
    for (let i = 0; i < 7; i++) await login(user.user.email!.toUpperCase(), 'guess', freshIp());
    expectRateLimited(await login(user.user.email!, DEFAULT_PASSWORD, freshIp()));
  });
});

describe('sign-ups', () => {
  it('allows a few new accounts (sign-ups and guests) per IP', async () => {
    const ip = freshIp();
    const signUp = (n: number) =>
      post(server.url, { query: 'mutation ($input: SignUpInput!) { signUp(input: $input) { token } }', variables: { input: { name: `N${n}`, email: `new-${n}-${ip}@example.test`, password: 'long enough password' } } }, { ip });
    const guest = (from: string) => post(server.url, { query: 'mutation { startGuestSession(input: { name: "Guest" }) { token } }' }, { ip: from });
    expect(codesOf(await signUp(1))).toEqual([]);
    expect(codesOf(await guest(ip))).toEqual([]);
    expectRateLimited(await signUp(2));
    expectRateLimited(await guest(ip));
    expect(codesOf(await guest(freshIp()))).toEqual([]);
  });
});

describe('sendMessage and setTyping', () => {
  it('refuses messages past the per-user rate, writing nothing', async () => {
    const ticket = await post(
      server.url,
      { query: 'mutation { createTicket(input: { subject: "Rates", description: "d" }) { ticket { id } } }' },
      { token: cast.customerA.token, ip: freshIp() },
    );
    const ticketId = (ticket.body.data as { createTicket: { ticket: { id: string } } }).createTicket.ticket.id;
    const send = (body: string, token = cast.agent.token) =>
      post(server.url, { query: 'mutation ($input: SendMessageInput!) { sendMessage(input: $input) { message { id } } }', variables: { input: { ticketId, body } } }, { token, ip: freshIp() });
    for (let i = 0; i < 3; i++) expect(codesOf(await send(`m${i}`))).toEqual([]);
    const refused = await send('one too many');
    expectRateLimited(refused);
    expect(refused.body.data).toBeNull();
    expect(codesOf(await send('from the customer', cast.customerA.token))).toEqual([]);
    const count = await post(server.url, { query: `{ ticket(id: "${ticketId}") { messages(first: 50) { nodes { body } } } }` }, { token: cast.admin.token, ip: freshIp() });
    expect(JSON.stringify(count.body.data)).not.toContain('one too many');
  });

  it('refuses typing updates past the per-user rate, over HTTP and websockets', async () => {
    const user = await createCustomer(server as unknown as TestServer);
    const created = await post(server.url, { query: 'mutation { createTicket(input: { subject: "Typing", description: "d" }) { ticket { id } } }' }, { token: user.token, ip: freshIp() });
    const ticketId = (created.body.data as { createTicket: { ticket: { id: string } } }).createTicket.ticket.id;
    const typing = `mutation { setTyping(ticketId: "${ticketId}", isTyping: true) }`;
    expect(codesOf(await post(server.url, { query: typing }, { token: user.token, ip: freshIp() }))).toEqual([]);
    const socket = await openSocket({ ip: freshIp(), token: user.token });
    socket.send({ id: 't1', type: 'subscribe', payload: { query: typing } });
    expect(await socket.next('t1')).toMatchObject({ type: 'next', payload: { data: { setTyping: true } } });
    socket.send({ id: 't2', type: 'subscribe', payload: { query: typing } });
    expect(await socket.next('t2')).toMatchObject({ type: 'next', payload: { errors: [{ extensions: { code: 'RATE_LIMITED' } }] } });
    expectRateLimited(await post(server.url, { query: typing }, { token: user.token, ip: freshIp() }));
    socket.close();
  });
});

describe('websockets', () => {
  it('answers the upgrade with 429 and Retry-After past the connections per IP', async () => {
    const ip = freshIp();
    const sockets = await Promise.all([1, 2, 3].map(() => openSocket({ ip })));
    const refused = await upgradeRefusal(ip);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    const other = await openSocket({ ip: freshIp() });
    for (const socket of [...sockets, other]) socket.close();
  });

  it('refuses operations past the rate of one socket, and keeps the socket', async () => {
    const socket = await openSocket({ ip: freshIp(), token: cast.agent.token });
    for (const id of ['1', '2', '3']) {
      socket.send({ id, type: 'subscribe', payload: { query: '{ __typename }' } });
      expect((await socket.next(id)).type).toBe('next');
    }
    socket.send({ id: '4', type: 'subscribe', payload: { query: '{ __typename }' } });
    expect(await socket.next('4')).toMatchObject({ type: 'error', payload: [{ extensions: { code: 'RATE_LIMITED' } }] });
    expect(socket.raw.readyState).toBe(WebSocket.OPEN);
    const fresh = await openSocket({ ip: freshIp(), token: cast.agent.token });
    fresh.send({ id: '1', type: 'subscribe', payload: { query: '{ __typename }' } });
    expect((await fresh.next('1')).type).toBe('next');
    socket.close();
    fresh.close();
  });
});

describe('without Redis', () => {
  it('holds the same limits in memory', async () => {
    const local = await startHardenedServer({ TRUST_PROXY: 'loopback', RATE_LIMIT_REQUESTS_PER_IP: '2/1m' });
    try {
      expect((await post(local.url, { query: '{ __typename }' }, { ip: '198.51.100.1' })).status).toBe(200);
      expect((await post(local.url, { query: '{ __typename }' }, { ip: '198.51.100.1' })).status).toBe(200);
      expect((await post(local.url, { query: '{ __typename }' }, { ip: '198.51.100.1' })).status).toBe(429);
    } finally {
      await local.stop();
    }
  });
});

interface TestSocket {
  raw: WebSocket;
  send(message: object): void;
  /** The next `next`/`error` message for operation `id`. */
  next(id: string): Promise<Record<string, unknown>>;
  close(): void;
}

/** A graphql-transport-ws socket from `ip`, acknowledged. */
async function openSocket({ ip, token }: { ip: string; token?: string }): Promise<TestSocket> {
  const raw = new WebSocket(server.wsUrl, 'graphql-transport-ws', { headers: { 'x-forwarded-for': ip } });
  const messages: Record<string, unknown>[] = [];
  raw.on('message', (data) => messages.push(JSON.parse(String(data))));
  await new Promise<void>((resolve, reject) => {
    raw.once('open', () => resolve());
    raw.once('error', reject);
  });
  raw.send(JSON.stringify({ type: 'connection_init', payload: token ? { authorization: `Bearer ${token}` } : {} }));
  await waitFor(() => messages.some((message) => message.type === 'connection_ack'));
  const taken = new Set<Record<string, unknown>>();
  return {
    raw,
    send: (message) => raw.send(JSON.stringify(message)),
    next: (id) =>
      waitFor(() => {
        const found = messages.find((m) => m.id === id && (m.type === 'next' || m.type === 'error') && !taken.has(m));
        if (found) taken.add(found);
        return found;
      }),
    close: () => raw.terminate(),
  };
}

/** Tries an upgrade from `ip` that is expected to be refused; resolves with the HTTP answer. */
function upgradeRefusal(ip: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined> }> {
  return new Promise((resolve, reject) => {
    const raw = new WebSocket(server.wsUrl, 'graphql-transport-ws', { headers: { 'x-forwarded-for': ip } });
    raw.once('unexpected-response', (_request, response) => {
      resolve({ status: response.statusCode ?? 0, headers: response.headers });
      raw.terminate();
    });
    raw.once('open', () => {
      raw.terminate();
      reject(new Error('the upgrade was accepted'));
    });
    raw.once('error', () => undefined);
  });
}
