import { OnMessageAddedDocument } from '../../__generated__/graphql';
import { createCast, type Cast } from '../../support/factories';
import type { TestServer } from '../../support/server';
import { connectWs, disposeWsClients, waitFor } from '../../support/ws-client';
import { OwnRedis, post, startHardenedServer, type HardenedServer } from './support';

/**
 * Redis (a redis-server of this test's own) stops and comes back empty while the server is busy:
 * nothing crashes, requests keep working without waiting on Redis, the rate limits keep holding
 * (in memory meanwhile), and subscriptions resume with every message, in order, once.
 */

let redis: OwnRedis;
let server: HardenedServer;
let cast: Cast;
let ticketId: string;

beforeAll(async () => {
  redis = await OwnRedis.start();
  server = await startHardenedServer({ REDIS_URL: redis.url, TRUST_PROXY: 'loopback', RATE_LIMIT_REQUESTS_PER_IP: '5/1m', AUTO_ASSIGN: 'false' });
  cast = await createCast(server as unknown as TestServer);
  const created = await post(server.url, { query: 'mutation { createTicket(input: { subject: "Redis", description: "d" }) { ticket { id } } }' }, { token: cast.customerA.token, ip: '192.0.2.1' });
  ticketId = (created.body.data as { createTicket: { ticket: { id: string } } }).createTicket.ticket.id;
});
afterEach(() => disposeWsClients());
afterAll(async () => {
  await server?.stop();
  await redis?.stop();
});

let ipCounter = 10;
const freshIp = () => `192.0.2.${++ipCounter}`;

const send = async (body: string) => {
  const answer = await post(server.url, { query: 'mutation ($input: SendMessageInput!) { sendMessage(input: $input) { message { id seq } } }', variables: { input: { ticketId, body } } }, { token: cast.agent.token, ip: freshIp() });
  expect(answer.body.errors).toBeUndefined();
  return (answer.body.data as { sendMessage: { message: { id: string; seq: number } } }).sendMessage.message;
};

/** Six requests from one address: the limit is five, so the sixth must be refused. */
async function limitHolds(): Promise<void> {
  const ip = freshIp();
  const statuses: number[] = [];
  for (let i = 0; i < 6; i++) statuses.push((await post(server.url, { query: '{ __typename }' }, { ip })).status);
  expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
}

it('rides out a Redis restart: no crash, limits hold, requests do not wait, subscriptions resume', async () => {
  const watcher = connectWs(server.wsUrl, { token: cast.customerA.token });
  const live = watcher.subscribe(OnMessageAddedDocument, { ticketId });
  await waitFor(() => server.app.services.realtime.stats().streams >= 1);
  const before = await send('before the outage');
  await live.waitForMessage((data) => data.messageAdded.id === before.id);
  await limitHolds();

  await redis.stop();
  // Redis is gone: requests are answered promptly, and the limits hold in memory.
  const started = Date.now();
  const during = [await send('during the outage 1'), await send('during the outage 2')];
  expect(Date.now() - started).toBeLessThan(3000);
  await limitHolds();
  const health = await fetch(`${server.origin}/readyz`);
  expect(health.status).toBe(503);

  await redis.restart();
  await waitFor(async () => (await fetch(`${server.origin}/readyz`)).status === 200, 10_000, 'readiness to come back');
  const after = await send('after the outage');
  await live.waitForMessage((data) => data.messageAdded.id === after.id, 10_000);
  await limitHolds();

  // Every message reached the subscriber once and in order, those sent during the outage included.
  const seqs = live.data.map((data) => data.messageAdded.seq);
  expect(seqs).toEqual([...new Set(seqs)].sort((a, b) => a - b));
  expect(seqs).toEqual(expect.arrayContaining([before.seq, ...during.map((message) => message.seq), after.seq]));
  expect((await post(server.url, { query: '{ __typename }' }, { ip: freshIp() })).status).toBe(200);
}, 60_000);
