import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { Client } from 'pg';
import WebSocket from 'ws';
import { createTestDatabase } from '../../support/database';
import { waitFor } from '../../support/ws-client';
import { freePort } from './support';

/**
 * SIGTERM to the real process (src/main.ts) while it is busy: 15 requests held in flight by a
 * table lock, a stream of new ones, and 10 open websockets. The requests in
 * flight all finish with 200, the sockets close with 1001, new connections are refused rather than
 * left hanging, and the process exits 0 within 10 s of the signal.
 */

const root = path.resolve(__dirname, '..', '..', '..');
/** Requests held in flight; each holds a database connection (the pool has 20, the job worker uses some). */
const IN_FLIGHT = 15;

interface Outcome {
  status?: number;
  body?: string;
  error?: string;
}

/** A POST on its own connection (no keep-alive), so shutdown cannot race a reused socket. */
function request(port: number, query: string, token?: string): Promise<Outcome> {
  return new Promise((resolve) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path: '/graphql',
        method: 'POST',
        agent: false,
        headers: { 'content-type': 'application/json', connection: 'close', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      },
      (res) => {
        let body = '';
        res.on('data', (chunk) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode, body }));
        res.on('error', (error) => resolve({ error: error.message }));
      },
    );
    req.on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
    req.end(JSON.stringify({ query }));
  });
}

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let child: ChildProcess | undefined;
let locker: Client | undefined;
const sockets: WebSocket[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  for (const socket of sockets) socket.terminate();
  await locker?.end().catch(() => undefined);
  if (child && child.exitCode === null) child.kill('SIGKILL');
  await database.drop();
});

it('finishes what is in flight, closes sockets with 1001 and exits 0 within 10 s, under load', async () => {
  const port = await freePort();
  child = spawn(process.execPath, ['-r', '@swc-node/register', 'src/main.ts'], {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: String(port),
      DATABASE_URL: database.url,
      JWT_SECRET: 'shutdown-load-secret-shutdown-load-secret',
      MIGRATE_ON_START: 'false',
      LOG_LEVEL: 'info',
      AUTO_ASSIGN: 'false',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  child.stdout!.on('data', (chunk: Buffer) => logs.push(...chunk.toString().split('\n').filter(Boolean)));
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; at: number }>((resolve) => child!.once('exit', (code) => resolve({ code, at: Date.now() })));
  await waitFor(() => logs.some((line) => line.includes('Parley is listening')), 30_000, 'the server to listen');

  // Ten acknowledged websockets, so shutdown has live sockets to close.
  const opened = await Promise.all(
    Array.from({ length: 10 }, async () => {
      const socket = new WebSocket(`ws://127.0.0.1:${port}/graphql`, 'graphql-transport-ws');
      sockets.push(socket);
      const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
      await new Promise<void>((resolve, reject) => {
        socket.once('error', reject);
        socket.once('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: {} })));
        socket.on('message', (data) => {
          if (JSON.parse(String(data)).type === 'connection_ack') resolve();
        });
      });
      // Wrapped: an async function returning the promise itself would wait for the close.
      return { closed };
    }),
  );
  const closes = opened.map((socket) => socket.closed);

  // A signed-in user: authenticating reads `users` once per request, so each request waits on the
  // lock by itself. One request first, so the process has loaded what a request needs.
  const signUp = await request(port, 'mutation { signUp(input: { name: "Load", email: "load@example.test", password: "a long password" }) { token } }');
  const { token } = (JSON.parse(signUp.body!) as { data: { signUp: { token: string } } }).data.signUp;

  // Fifteen requests held in flight: each reads `users`, which another connection has locked.
  locker = new Client({ connectionString: database.url });
  locker.on('error', () => undefined);
  await locker.connect();
  await locker.query('begin');
  await locker.query('lock table users in access exclusive mode');
  const inFlight = Array.from({ length: IN_FLIGHT }, () => request(port, '{ viewer { name } }', token));
  await waitFor(async () => {
    const { rows } = await locker!.query(`select count(*)::int as n from pg_locks where relation = 'users'::regclass and not granted`);
    return rows[0].n >= IN_FLIGHT;
  }, 10_000, 'every request to wait on the lock');

  // A stream of new requests, already flowing when the signal lands.
  let streaming = true;
  let answered = 0;
  const stream: Promise<Outcome>[] = [];
  const feeder = (async () => {
    while (streaming && stream.length < 2000) {
      stream.push(request(port, '{ __typename }').then((outcome) => (outcome.status === 200 && answered++, outcome)));
      await new Promise((resolve) => setImmediate(resolve));
    }
  })();
  await waitFor(() => answered >= 20, 10_000, 'the stream to flow');

  child.kill('SIGTERM');
  const signalled = Date.now();
  await waitFor(() => logs.some((line) => line.includes('shutting down')), 5_000, 'shutdown to begin');
  // Sockets are told to go away at once, while requests are still in flight.
  expect(await Promise.all(closes)).toEqual(Array(10).fill(1001));
  expect(child.exitCode).toBeNull();

  await locker.query('commit');
  const results = await Promise.all(inFlight);
  expect(results.map((result) => result.status)).toEqual(Array(IN_FLIGHT).fill(200));
  for (const result of results) expect(JSON.parse(result.body!)).toEqual({ data: { viewer: { name: 'Load' } } });

  const { code, at } = await exited;
  streaming = false;
  await feeder;
  expect(code).toBe(0);
  expect(at - signalled).toBeLessThan(10_000);
  // Every request of the stream was either answered or refused a connection; none hung or was cut mid-answer.
  const streamed = await Promise.all(stream);
  for (const outcome of streamed) {
    if (outcome.status !== undefined) expect({ status: outcome.status, body: JSON.parse(outcome.body!) }).toEqual({ status: 200, body: { data: { __typename: 'Query' } } });
    else expect(['ECONNREFUSED', 'ECONNRESET', 'socket hang up']).toContain(outcome.error);
  }
  expect(logs.some((line) => line.includes('"msg":"stopped"'))).toBe(true);
  expect(stderr).toBe('');
}, 60_000);
