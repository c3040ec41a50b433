import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import pino from 'pino';
import { createPubSub, type PubSub } from '../../../src/infra/pubsub';
import { waitFor } from '../../support/ws-client';

/** The Redis adapter on the real Redis, with a short linger so the test need not wait seconds. */
const LINGER_MS = 300;
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

let pubsub: PubSub;
let observer: Redis;

beforeAll(async () => {
  pubsub = createPubSub(redisUrl, pino({ level: 'silent' }), LINGER_MS);
  expect(await pubsub.ready()).toBe(true);
  observer = new Redis(redisUrl);
});
afterAll(async () => {
  await pubsub.close();
  observer.disconnect();
});

/** How many connections Redis has subscribed to `channel`. */
async function subscribers(channel: string): Promise<number> {
  const [, count] = (await observer.pubsub('NUMSUB', channel)) as [string, number];
  return Number(count);
}

it('keeps a channel subscribed at Redis for a moment after its last listener leaves, so a quick return costs no resubscription', async () => {
  const channel = `test:linger:${randomUUID()}`;
  const gone: unknown[] = [];
  const leave = await pubsub.listen(channel, (payload) => gone.push(payload));
  leave();
  // No listener here any more, but Redis still delivers to this instance for a moment.
  expect(pubsub.channelCount()).toBe(0);
  expect(await subscribers(channel)).toBe(1);

  const received: unknown[] = [];
  const stay = await pubsub.listen(channel, (payload) => received.push(payload));
  await pubsub.publish(channel, { n: 1 });
  await waitFor(() => received.length === 1, 2000, 'the event');
  expect(gone).toEqual([]);

  // Past the first listener's linger, the second keeps the channel.
  await new Promise((resolve) => setTimeout(resolve, LINGER_MS + 200));
  expect(await subscribers(channel)).toBe(1);
  await pubsub.publish(channel, { n: 2 });
  await waitFor(() => received.length === 2, 2000, 'the second event');

  stay();
  await waitFor(async () => (await subscribers(channel)) === 0, 3000, 'Redis to unsubscribe after the linger');
  expect(received).toEqual([{ n: 1 }, { n: 2 }]);
});
