import type { PubSub as TypeGraphQLPubSub } from 'type-graphql';
import { RedisPubSub } from 'graphql-redis-subscriptions';
import Redis, { type RedisOptions } from 'ioredis';
import type { Logger } from 'pino';

/** Ends what `listen` or `onReconnect` started. Safe to call twice. */
export type Unsubscribe = () => void;

/**
 * The one pub/sub adapter: Redis when `REDIS_URL` is set (every instance sees every event),
 * in-process otherwise. Payloads are JSON either way; ISO dates come back as `Date`s.
 */
export interface PubSub {
  readonly kind: 'redis' | 'in-process';
  publish(channel: string, payload: object): Promise<void>;
  /**
   * Calls `onMessage` for each event on `channel`. Resolves once the subscription is live at the
   * broker — an event published after that is delivered — with the function that ends it. This is
   * what lets a stream subscribe first and read the database second without a gap.
   */
  listen<T>(channel: string, onMessage: (payload: T) => void): Promise<Unsubscribe>;
  /**
   * Calls `listener` when the connection to the broker came back after a loss and every channel is
   * subscribed again. Events published meanwhile are gone; streams catch up from the database.
   */
  onReconnect(listener: () => void): Unsubscribe;
  /** Distinct channels with listeners on this instance (leak checks, metrics); Redis keeps each a few seconds longer. */
  channelCount(): number;
  /** A plain Redis connection for shared state beside pub/sub (presence, typing); null in-process. */
  readonly redis: Redis | null;
  /** Resolves when the broker is reachable, or after `timeoutMs` (false) — startup does not hang on it. */
  ready(timeoutMs?: number): Promise<boolean>;
  /** True when the backing store answers (always, in-process). */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/** JSON.parse reviver: dates travel through Redis as ISO strings and come back as Dates. */
export function reviveDates(_key: string, value: unknown): unknown {
  return typeof value === 'string' && ISO_DATE.test(value) ? new Date(value) : value;
}

export function redisOptions(_logger: Logger, name: string): RedisOptions {
  return {
    connectionName: `parley-${name}`,
    // Keep retrying forever with a capped backoff: Parley must recover by itself after a Redis restart.
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
    maxRetriesPerRequest: null,
    enableOfflineQueue: true,
    lazyConnect: false,
  };
}

/** Counts listeners per channel, so `channelCount` says what the broker holds for this instance. */
class ChannelRefs {
  private readonly refs = new Map<string, number>();
  add(channel: string): void {
    this.refs.set(channel, (this.refs.get(channel) ?? 0) + 1);
  }
  remove(channel: string): void {
    const left = (this.refs.get(channel) ?? 1) - 1;
    if (left > 0) this.refs.set(channel, left);
    else this.refs.delete(channel);
  }
  get size(): number {
    return this.refs.size;
  }
}

function once(fn: () => void): Unsubscribe {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    fn();
  };
}

function createInProcessPubSub(): PubSub {
  const handlers = new Map<string, Set<(payload: unknown) => void>>();
  return {
    kind: 'in-process',
    redis: null,
    publish: async (channel, payload) => {
      // Round-trip through JSON so both adapters hand subscribers the same shapes, and deliver on a
      // later tick, as Redis would, so a publisher never runs subscriber code in its own call stack.
      const json = JSON.stringify(payload);
      const targets = [...(handlers.get(channel) ?? [])];
      if (targets.length === 0) return;
      setImmediate(() => {
        for (const handler of targets) handler(JSON.parse(json, reviveDates));
      });
    },
    listen: async <T>(channel: string, onMessage: (payload: T) => void) => {
      const handler = onMessage as (payload: unknown) => void;
      let set = handlers.get(channel);
      if (!set) handlers.set(channel, (set = new Set()));
      set.add(handler);
      return once(() => {
        set.delete(handler);
        if (set.size === 0 && handlers.get(channel) === set) handlers.delete(channel);
      });
    },
    onReconnect: () => () => undefined,
    channelCount: () => handlers.size,
    ready: async () => true,
    ping: async () => true,
    close: async () => {
      handlers.clear();
    },
  };
}

/** Waits for `client` to be ready, at most `timeoutMs`. */
function whenReady(client: Redis, timeoutMs: number): Promise<boolean> {
  if (client.status === 'ready') return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      client.off('ready', onReady);
      resolve(false);
    }, timeoutMs);
    const onReady = () => {
      clearTimeout(timer);
      resolve(true);
    };
    client.once('ready', onReady);
  });
}

/** QUIT when connected; otherwise just drop the connection (QUIT would wait for a reconnect). */
async function closeClient(client: Redis): Promise<void> {
  if (client.status === 'end') return;
  if (client.status === 'ready') {
    await Promise.race([client.quit().catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 1000).unref())]);
  }
  client.disconnect();
}

/** How long Redis stays subscribed to a channel after its last listener here left. */
export const CHANNEL_LINGER_MS = 5000;

function createRedisPubSub(redisUrl: string, logger: Logger, lingerMs: number): PubSub {
  // The publisher fails fast while Redis is away instead of queueing: the data is committed, so a
  // request must not hang on a publish, and a queue of stale events must not grow during an outage.
  const publisher = new Redis(redisUrl, { ...redisOptions(logger, 'publisher'), enableOfflineQueue: false, maxRetriesPerRequest: 0 });
  // The subscriber queues SUBSCRIBEs while away and ioredis resubscribes every channel on reconnect.
  const subscriber = new Redis(redisUrl, redisOptions(logger, 'subscriber'));
  // Presence and typing state: a command may wait briefly for a reconnect, never indefinitely.
  const state = new Redis(redisUrl, { ...redisOptions(logger, 'state'), maxRetriesPerRequest: 2, commandTimeout: 2000 });
  for (const [name, client] of [['publisher', publisher], ['subscriber', subscriber], ['state', state]] as const) {
    client.on('error', (error) => logger.warn({ err: error, client: name }, 'redis connection error'));
  }
  const engine = new RedisPubSub({ publisher, subscriber, reviver: reviveDates });
  const refs = new ChannelRefs();
  const lingering = new Set<NodeJS.Timeout>();

  const reconnectListeners = new Set<() => void>();
  let lost = false;
  subscriber.on('close', () => {
    if (subscriber.status !== 'end') lost = true;
  });
  subscriber.on('ready', () => {
    if (!lost) return;
    lost = false;
    logger.info('redis subscriber reconnected');
    // ioredis has re-sent every SUBSCRIBE before 'ready' is emitted; the PING's reply comes after
    // theirs, so once it is back the channels are live again and a catch-up read misses nothing.
    subscriber
      .ping()
      .then(() => {
        for (const listener of [...reconnectListeners]) listener();
      })
      .catch((error) => logger.warn({ err: error }, 'redis resubscribe check failed'));
  });

  return {
    kind: 'redis',
    redis: state,
    publish: (channel, payload) => engine.publish(channel, payload),
    listen: async <T>(channel: string, onMessage: (payload: T) => void) => {
      let listening = true;
      const id = await engine.subscribe(channel, (payload: unknown) => listening && onMessage(payload as T));
      refs.add(channel);
      return once(() => {
        listening = false;
        refs.remove(channel);
        // Redis stays subscribed a little longer: a client reconnecting (a reconnect storm: every
        // socket at once) finds the channel live, instead of Redis being told UNSUBSCRIBE and
        // PUNSUBSCRIBE, then SUBSCRIBE again, for every channel (about 12% of a storm's CPU).
        const timer = setTimeout(() => {
          lingering.delete(timer);
          engine.unsubscribe(id);
        }, lingerMs).unref();
        lingering.add(timer);
      });
    },
    onReconnect: (listener) => {
      reconnectListeners.add(listener);
      return once(() => reconnectListeners.delete(listener));
    },
    channelCount: () => refs.size,
    ready: async (timeoutMs = 5000) => {
      const results = await Promise.all([publisher, subscriber, state].map((client) => whenReady(client, timeoutMs)));
      return results.every(Boolean);
    },
    ping: async () => publisher.status === 'ready' && (await publisher.ping()) === 'PONG',
    close: async () => {
      reconnectListeners.clear();
      for (const timer of lingering) clearTimeout(timer);
      lingering.clear();
      await Promise.all([publisher, subscriber, state].map(closeClient));
    },
  };
}

export function createPubSub(redisUrl: string | undefined, logger: Logger, lingerMs = CHANNEL_LINGER_MS): PubSub {
  return redisUrl ? createRedisPubSub(redisUrl, logger, lingerMs) : createInProcessPubSub();
}

/**
 * What `buildSchema` gets as type-graphql's `pubSub`. Parley's subscriptions never use
 * type-graphql's `topics`: each declares `subscribe` (see modules/realtime/live-stream.ts),
 * because every event is loaded and re-authorized per subscriber with the subscriber's own
 * context, and the pub/sub belongs to the app instance while the schema is built once per
 * process. type-graphql insists on having one, so this says so if someone reaches for `topics`.
 */
export const topicsAreNotUsed: TypeGraphQLPubSub = {
  publish: () => {
    throw new Error('Publish through ctx.app.events after the transaction commits, not through type-graphql.');
  },
  subscribe: () => {
    throw new Error('Declare subscriptions with `subscribe: liveSubscription(...)` (modules/realtime), not with `topics`.');
  },
};
