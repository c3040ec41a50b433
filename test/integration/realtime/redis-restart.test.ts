import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import Redis from 'ioredis';
import { OnMessageAddedDocument, OnPresenceDocument } from '../../__generated__/graphql';
import { createCast, type Cast } from '../../support/factories';
import { startTestServer, type TestServer } from '../../support/server';
import { connectWs, disposeWsClients, waitFor } from '../../support/ws-client';
import { openTicket, send, streamsLive } from './helpers';

/**
 * Redis goes away mid-stream and comes back empty (no persistence), on a redis-server of this
 * test's own, so other test files sharing the main Redis are not disturbed.
 */
let port: number;
let redisProcess: ChildProcess | undefined;
let server: TestServer;
let cast: Cast;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
    probe.on('error', reject);
  });
}

async function startRedis(): Promise<void> {
  redisProcess = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const probe = new Redis({ port, host: '127.0.0.1', lazyConnect: true, retryStrategy: () => 50, maxRetriesPerRequest: null });
  probe.on('error', () => undefined);
  try {
    await waitFor(() => probe.ping().then((reply) => reply === 'PONG'), 5000, 'redis-server to start');
  } finally {
    probe.disconnect();
  }
}

async function killRedis(): Promise<void> {
  const child = redisProcess;
  redisProcess = undefined;
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

beforeAll(async () => {
  port = await freePort();
  await startRedis();
  server = await startTestServer({ env: { REDIS_URL: `redis://127.0.0.1:${port}` }, realtime: { presenceHeartbeatMs: 300 } });
  cast = await createCast(server);
});
afterEach(() => disposeWsClients());
afterAll(async () => {
  await server?.stop();
  await killRedis();
});

it('recovers by itself and loses no message across a Redis restart', async () => {
  const ticketId = await openTicket(cast.customerA);
  const watcher = connectWs(server.wsUrl, { token: cast.customerA.token });
  const live = watcher.subscribe(OnMessageAddedDocument, { ticketId });
  const presence = watcher.subscribe(OnPresenceDocument, { ticketId });
  await presence.waitForMessage();
  await waitFor(streamsLive(server, 2));
  const leaver = connectWs(server.wsUrl, { token: cast.customerA.token });
  const before = leaver.subscribe(OnMessageAddedDocument, { ticketId });

  const first = await send(cast.agent, ticketId, 'before the outage');
  await live.waitForMessage((data) => data.messageAdded.id === first.id);
  await before.waitForMessage((data) => data.messageAdded.id === first.id);
  await leaver.dispose();

  await killRedis();
  // Writes keep working while Redis is away: the data is committed, the publish is logged and dropped.
  const startedAt = Date.now();
  const during = [await send(cast.agent, ticketId, 'during the outage 1'), await send(cast.customerA, ticketId, 'during the outage 2')];
  expect(Date.now() - startedAt).toBeLessThan(3000);
  expect(await server.client().request<{ __typename: string }, Record<string, never>>('{ __typename }')).toMatchObject({ status: 200 });

  await startRedis();
  // Once Parley has resubscribed, the open stream reads what it missed from the database.
  await live.waitForMessage((data) => data.messageAdded.id === during[1].id, 10_000);
  const after = await send(cast.agent, ticketId, 'after the outage');
  await live.waitForMessage((data) => data.messageAdded.id === after.id);
  expect(live.data.map((data) => data.messageAdded.id)).toEqual([first, ...during, after].map((message) => message.id));

  // A client that was offline meanwhile resumes with afterSeq and gets exactly the gap.
  const resumed = connectWs(server.wsUrl, { token: cast.customerA.token }).subscribe(OnMessageAddedDocument, { ticketId, afterSeq: first.seq });
  await resumed.waitForCount(3);
  expect(resumed.data.map((data) => data.messageAdded.id)).toEqual([...during, after].map((message) => message.id));

  // Redis came back empty; the heartbeat put this instance's viewer back.
  const redis = new Redis({ port, host: '127.0.0.1' });
  try {
    await waitFor(async () => (await redis.zcard(`parley:presence:${ticketId}`)) === 1, 5000, 'presence to be restored');
  } finally {
    redis.disconnect();
  }
});
