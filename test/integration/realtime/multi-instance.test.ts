import Redis from 'ioredis';
import { OnMessageAddedDocument, OnPresenceDocument, OnTicketUpdatedDocument, OnTypingDocument, SetTypingDocument, UpdateTicketPriorityDocument } from '../../__generated__/graphql';
import { channels } from '../../../src/shared/events/topics';
import { createCast, type Cast } from '../../support/factories';
import { startTestServer, type TestServer } from '../../support/server';
import { connectWs, disposeWsClients, waitFor } from '../../support/ws-client';
import { on, openTicket, send, streamsLive } from './helpers';

/**
 * Two Parley instances on one PostgreSQL and one Redis, as behind a load balancer without sticky
 * sessions: whatever a client does on one, a client of the other sees.
 */
const REALTIME = { typingTimeoutMs: 700, presenceHeartbeatMs: 200, presenceTtlMs: 1200 };

let one: TestServer;
let two: TestServer;
let cast: Cast;
let redis: Redis;

beforeAll(async () => {
  one = await startTestServer({ redis: true, realtime: REALTIME });
  two = await startTestServer({ redis: true, databaseUrl: one.databaseUrl, realtime: REALTIME });
  cast = await createCast(one);
  redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
});
afterEach(() => disposeWsClients());
afterAll(async () => {
  redis.disconnect();
  await two.stop();
  await one.stop();
});

const ids = (data: { presence: { viewers: { id: string }[] } }) => data.presence.viewers.map((user) => user.id).sort();

it('delivers a message sent through one instance to a subscriber on the other', async () => {
  const ticketId = await openTicket(cast.customerA);
  const sub = connectWs(one.wsUrl, { token: cast.customerA.token }).subscribe(OnMessageAddedDocument, { ticketId });
  await waitFor(streamsLive(one, 1));
  const sent = await send(on(two, cast.agent), ticketId, 'Answered from instance two');
  expect((await sub.waitForMessage()).messageAdded).toMatchObject({ id: sent.id, body: 'Answered from instance two' });

  // And a client resuming on the other instance catches up from the shared database.
  const more = await send(on(one, cast.agent), ticketId, 'One more');
  const resumed = connectWs(two.wsUrl, { token: cast.customerA.token }).subscribe(OnMessageAddedDocument, { ticketId, afterSeq: sent.seq });
  expect((await resumed.waitForMessage()).messageAdded.id).toBe(more.id);
});

it('tells staff on one instance about a change made on the other', async () => {
  const ticketId = await openTicket(cast.customerA);
  const sub = connectWs(two.wsUrl, { token: cast.supervisor.token }).subscribe(OnTicketUpdatedDocument, {});
  await waitFor(streamsLive(two, 1));
  await on(one, cast.agent).client.data(UpdateTicketPriorityDocument, { input: { ticketId, priority: 'URGENT' } });
  expect((await sub.waitForMessage((data) => data.ticketUpdated.ticket.id === ticketId)).ticketUpdated).toMatchObject({ kind: 'PRIORITY_CHANGED', ticket: { priority: 'URGENT' } });
});

it('lists viewers of both instances in every presence event', async () => {
  const ticketId = await openTicket(cast.customerA);
  const customer = connectWs(one.wsUrl, { token: cast.customerA.token }).subscribe(OnPresenceDocument, { ticketId });
  await customer.waitForMessage();
  const agent = connectWs(two.wsUrl, { token: cast.agent.token }).subscribe(OnPresenceDocument, { ticketId });
  const both = [cast.customerA.user.id, cast.agent.user.id].sort();
  expect(ids(await agent.waitForMessage())).toEqual(both);
  expect(ids(await customer.waitForMessage((data) => data.presence.viewers.length === 2))).toEqual(both);
});

it('drops the presence of a crashed instance once nobody vouches for it', async () => {
  const ticketId = await openTicket(cast.customerA);
  const customer = connectWs(one.wsUrl, { token: cast.customerA.token }).subscribe(OnPresenceDocument, { ticketId });
  await customer.waitForMessage();
  // What a third instance wrote before it died: an entry that no heartbeat refreshes any more.
  await redis.zadd(`parley:presence:${ticketId}`, Date.now(), `${cast.agent.user.id}|crashed-instance|1`);
  await one.app.services.events.ticketActivity({ type: 'PRESENCE_CHANGED', ticketId });
  await customer.waitForMessage((data) => data.presence.viewers.length === 2);
  const ghostSeenAt = Date.now();
  const after = await customer.waitForMessage((data) => data.presence.viewers.length === 1 && customer.data.indexOf(data) > 1, 5000);
  expect(ids(after)).toEqual([cast.customerA.user.id]);
  expect(Date.now() - ghostSeenAt).toBeLessThan(REALTIME.presenceTtlMs + 3 * REALTIME.presenceHeartbeatMs + 500);
});

it('expires typing once, after the last refresh, wherever the refreshes landed', async () => {
  const ticketId = await openTicket(cast.customerA);
  const sub = connectWs(one.wsUrl, { token: cast.agent.token }).subscribe(OnTypingDocument, { ticketId });
  await waitFor(streamsLive(one, 1));
  await on(two, cast.customerA).client.data(SetTypingDocument, { ticketId, isTyping: true });
  await sub.waitForMessage((data) => data.typing.isTyping);
  // The server's timer starts after the request does, so the stop cannot come sooner than this.
  const lastRefresh = Date.now();
  await on(one, cast.customerA).client.data(SetTypingDocument, { ticketId, isTyping: true });
  await sub.waitForMessage((data) => !data.typing.isTyping, 5000);
  expect(Date.now() - lastRefresh).toBeGreaterThanOrEqual(REALTIME.typingTimeoutMs - 5);
  // Instance two's earlier timer has fired too by now; it must not have said false again.
  await waitFor(() => one.app.services.realtime.stats().typingTimers + two.app.services.realtime.stats().typingTimers === 0);
  // A new start is announced again: exactly one stop came between.
  await on(two, cast.customerA).client.data(SetTypingDocument, { ticketId, isTyping: true });
  await sub.waitForMessage((data) => data.typing.isTyping && sub.data.indexOf(data) > 0);
  expect(sub.data.map((data) => data.typing.isTyping)).toEqual([true, false, true]);
});

it('leaves no subscription, stream, channel, presence entry or typing state behind once clients leave', async () => {
  const ticketId = await openTicket(cast.customerA);
  const clients = [
    connectWs(one.wsUrl, { token: cast.customerA.token }),
    connectWs(two.wsUrl, { token: cast.agent.token }),
    connectWs(two.wsUrl, { token: cast.supervisor.token }),
  ];
  for (const client of clients) {
    client.subscribe(OnMessageAddedDocument, { ticketId });
    client.subscribe(OnTypingDocument, { ticketId });
    client.subscribe(OnPresenceDocument, { ticketId });
  }
  clients[2].subscribe(OnMessageAddedDocument, {});
  await waitFor(() => one.app.services.realtime.stats().streams === 3 && two.app.services.realtime.stats().streams === 7);
  await on(one, cast.customerA).client.data(SetTypingDocument, { ticketId, isTyping: true });
  await on(two, cast.agent).client.data(SetTypingDocument, { ticketId, isTyping: true });
  const sessions = [cast.customerA, cast.agent, cast.supervisor].map((actor) => channels.session(actor.sessionId));
  const numsub = async () => {
    const reply = (await redis.pubsub('NUMSUB', channels.ticket(ticketId), ...sessions)) as (string | number)[];
    return reply.filter((_, index) => index % 2 === 1).map(Number);
  };
  expect((await numsub())[0]).toBe(2); // one subscription per instance, however many subscribers
  expect(await redis.zcard(`parley:presence:${ticketId}`)).toBe(3);

  await disposeWsClients();

  const idle = { sockets: 0, operations: 0, streams: 0, channels: 0, presenceEntries: 0, typingTimers: 0 };
  // Typing states end by themselves (timeout); every other resource ends with its socket.
  await waitFor(() => JSON.stringify(one.app.services.realtime.stats()) === JSON.stringify(idle), 5000, 'instance one to be idle');
  await waitFor(() => JSON.stringify(two.app.services.realtime.stats()) === JSON.stringify(idle), 5000, 'instance two to be idle');
  await waitFor(async () => (await numsub()).every((count) => count === 0), 5000, 'Redis to hold no subscription of ours');
  expect(await redis.zcard(`parley:presence:${ticketId}`)).toBe(0);
  expect(await redis.keys(`parley:typing:${ticketId}:*`)).toEqual([]);
});
