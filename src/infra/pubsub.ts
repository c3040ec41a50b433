import { PubSub as InProcessPubSub } from 'graphql-subscriptions';
import { RedisPubSub } from 'graphql-redis-subscriptions';
import Redis, { type RedisOptions } from 'ioredis';
import type { Logger } from 'pino';

/**
 * The one pub/sub adapter: Redis when `REDIS_URL` is set (every instance sees every event),
 * in-process otherwise. Payloads are JSON; ISO dates come back as `Date`s.
 */
export interface PubSub {
  publish(channel: string, payload: object): Promise<void>;
  /** Events on `channel` until the iterator's `return()` is called. */
  subscribe<T>(channel: string): AsyncIterableIterator<T>;
  close(): Promise<void>;
  /** True when the backing store answers (always, in-process). */
  ping(): Promise<boolean>;
  readonly kind: 'redis' | 'in-process';
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/** JSON.parse reviver: dates travel through Redis as ISO strings and come back as Dates. */
export function reviveDates(_key: string, value: unknown): unknown {
  return typeof value === 'string' && ISO_DATE.test(value) ? new Date(value) : value;
}

export function redisOptions(logger: Logger, name: string): RedisOptions {
  return {
    connectionName: `parley-${name}`,
    // Keep retrying forever with a capped backoff: Parley must recover by itself after a Redis restart.
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
    maxRetriesPerRequest: null,
    enableOfflineQueue: true,
    lazyConnect: false,
  };
}

export function createPubSub(redisUrl: string | undefined, logger: Logger): PubSub {
  if (!redisUrl) {
    const engine = new InProcessPubSub();
    return {
      kind: 'in-process',
      publish: async (channel, payload) => {
        // Round-trip through JSON so both adapters hand subscribers the same shapes.
        await engine.publish(channel, JSON.parse(JSON.stringify(payload), reviveDates));
      },
      subscribe: <T>(channel: string) => engine.asyncIterableIterator<T>(channel),
      close: async () => undefined,
      ping: async () => true,
    };
  }
  const publisher = new Redis(redisUrl, redisOptions(logger, 'publisher'));
  const subscriber = new Redis(redisUrl, redisOptions(logger, 'subscriber'));
  for (const [name, client] of [['publisher', publisher], ['subscriber', subscriber]] as const) {
    client.on('error', (error) => logger.warn({ err: error, client: name }, 'redis connection error'));
  }
  const engine = new RedisPubSub({ publisher, subscriber, reviver: reviveDates });
  return {
    kind: 'redis',
    publish: (channel, payload) => engine.publish(channel, payload),
    subscribe: <T>(channel: string) => engine.asyncIterableIterator<T>(channel),
    close: async () => {
      await engine.close();
    },
    ping: async () => (await publisher.ping()) === 'PONG',
  };
}
