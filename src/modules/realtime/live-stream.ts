import type { EntityManager } from '@mikro-orm/postgresql';
import type { SubscribeResolverData } from 'type-graphql';
import type { RequestContext } from '../../server/context';
import { AppError, unauthenticated } from '../../shared/errors';
import { Loaders } from '../../shared/loaders/registry';
import { LiveContext } from './live-context';
import { ChannelStream, StreamOverflowError, type CatchUp } from './channel-stream';

/**
 * How one subscription turns channel events into what its subscriber receives. `handle` runs once
 * per event with the context already renewed for it; it loads what the event names and returns
 * what this viewer may see (usually zero or one value).
 */
export interface LiveHandler<E, T> {
  /** Which events matter, decided from the payload alone; the rest never cost a query. */
  accepts?(event: E): boolean;
  /** Runs once the channels are live, before the first event: read a cursor, join presence... */
  start?(ctx: RequestContext, stream: ChannelStream<E>): Promise<void>;
  handle(ctx: RequestContext, event: E | CatchUp, stream: ChannelStream<E>): Promise<T[]>;
  /** Runs once when the subscription ends, however it ends. */
  close?(): void;
}

export interface LiveSetup<E, T> {
  channels: string[];
  handler: LiveHandler<E, T>;
}

/**
 * Gives the long-lived subscription context a fresh EntityManager and fresh loaders for one event
 * (over websockets the context lives as long as the subscription; its identity map must not), and
 * re-checks the viewer: an expired token ends the stream at once; a revoked session or a
 * deactivated user ends it, and a role change applies, within a second (the check is shared per
 * session for that long; revocations also close the socket at once through the session channel).
 */
export async function renewForEvent(ctx: RequestContext): Promise<void> {
  if (ctx instanceof LiveContext) {
    ctx.renew();
  } else {
    ctx.em = ctx.app.orm.em.fork() as EntityManager;
    ctx.loaders = new Loaders(ctx);
  }
  const viewer = ctx.viewer && (await ctx.app.realtime.viewers.recheck(ctx.viewer));
  if (!viewer) throw unauthenticated('Your session has ended; reconnect with a fresh token.');
  ctx.viewer = viewer;
}

/**
 * Drops what the last event (or the setup) loaded while the subscription waits for the next one:
 * an idle subscriber should not keep an EntityManager with its identity map and loaders with their
 * caches. The global EntityManager stands in until `renewForEvent`: it refuses every use
 * (allowGlobalContext is off), so a stray use between events fails loudly instead of leaking.
 */
export function releaseBetweenEvents(ctx: RequestContext): void {
  if (ctx instanceof LiveContext) return ctx.release();
  ctx.em = ctx.app.orm.em as EntityManager;
  ctx.loaders = new Loaders(ctx);
}

/**
 * An async iterator over a subscription's values. `return()` ends it at once even while it waits
 * for an event (an async generator would wait for the next event first, keeping the channel).
 */
class LiveIterator<E, T> implements AsyncIterableIterator<T> {
  private readonly ready: T[] = [];

  constructor(
    private readonly ctx: RequestContext,
    private readonly stream: ChannelStream<E>,
    private readonly handler: LiveHandler<E, T>,
  ) {}

  async next(): Promise<IteratorResult<T>> {
    while (this.ready.length === 0) {
      // The values of the last event have all been delivered (graphql-js executes each before asking for the next).
      releaseBetweenEvents(this.ctx);
      let item: IteratorResult<E | CatchUp>;
      try {
        item = await this.stream.next();
      } catch (error) {
        // A slow consumer: the transport is being dropped; say why in the logs, not as a 500.
        throw error instanceof StreamOverflowError ? new AppError('RATE_LIMITED', error.message) : error;
      }
      if (item.done) return { value: undefined, done: true };
      try {
        await renewForEvent(this.ctx);
        const values = await this.handler.handle(this.ctx, item.value, this.stream);
        if (this.stream.isClosed) return { value: undefined, done: true };
        this.ready.push(...values);
      } catch (error) {
        this.stream.close();
        throw error;
      }
    }
    return { value: this.ready.shift()!, done: false };
  }

  async return(): Promise<IteratorResult<T>> {
    this.stream.close();
    this.ready.length = 0;
    return { value: undefined, done: true };
  }

  async throw(error: unknown): Promise<IteratorResult<T>> {
    this.stream.close();
    throw error;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}

/**
 * Subscribes to the setup's channels first (so nothing published from now on is missed), runs
 * `start`, and returns the iterator graphql-js maps through the selection set.
 */
export async function openLive<E, T>(ctx: RequestContext, setup: LiveSetup<E, T>): Promise<AsyncIterableIterator<T>> {
  const { realtime } = ctx.app;
  let uncount: (() => void) | undefined;
  let unfollow: (() => void) | undefined;
  const stream = await ChannelStream.open<E>(ctx.app.pubsub, setup.channels, {
    maxQueued: realtime.limits.maxQueuedEvents,
    accepts: setup.handler.accepts?.bind(setup.handler),
    onOverflow: () => ctx.connection?.terminate('subscriber fell behind'),
    onClose: () => {
      uncount?.();
      unfollow?.();
      setup.handler.close?.();
    },
  });
  try {
    await setup.handler.start?.(ctx, stream);
  } catch (error) {
    stream.close();
    throw error;
  }
  // Counted once live, so a test waiting for the count knows events published now will arrive.
  uncount = realtime.streamOpened();
  if (ctx.viewer) unfollow = realtime.viewers.follow(ctx.viewer);
  if (stream.isClosed) {
    uncount();
    unfollow?.();
  }
  return new LiveIterator(ctx, stream, setup.handler);
}

/**
 * A type-graphql `subscribe` function from a setup: `setup` authorizes (throwing NOT_FOUND,
 * FORBIDDEN...) and names the channels and the handler. Every Parley subscription is one of these,
 * e.g. `@Subscription(() => Notification, { subscribe: liveSubscription(notificationsSetup) })`.
 */
export function liveSubscription<Args, T>(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each setup names its own event type
  setup: (ctx: RequestContext, args: Args) => Promise<LiveSetup<any, T>> | LiveSetup<any, T>,
): (data: SubscribeResolverData<unknown, Args, RequestContext>) => Promise<AsyncIterable<T>> {
  return async ({ args, context }) => openLive(context, await setup(context, args));
}

/** The common case: each accepted event names one thing to load and re-authorize; null skips it. */
export function eachEvent<E, T>(accepts: (event: E) => boolean, load: (ctx: RequestContext, event: E) => Promise<T | null>): LiveHandler<E, T> {
  return {
    accepts,
    handle: async (ctx, event) => {
      if (isCatchUp(event)) return [];
      const value = await load(ctx, event);
      return value === null ? [] : [value];
    },
  };
}

export function isCatchUp(event: unknown): event is CatchUp {
  return typeof event === 'object' && event !== null && (event as { type?: unknown }).type === 'CATCH_UP';
}
