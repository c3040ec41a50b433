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
  /** A plain array when the values are at hand (a shared read already done): no extra microtask turn. */
  handle(ctx: RequestContext, event: E | CatchUp, stream: ChannelStream<E>): T[] | Promise<T[]>;
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
export function renewForEvent(ctx: RequestContext): void | Promise<void> {
  if (ctx instanceof LiveContext) {
    ctx.renew();
  } else {
    ctx.em = ctx.app.orm.em.fork() as EntityManager;
    ctx.loaders = new Loaders(ctx);
  }
  // Usually answered at once (see ViewerRechecks): no promise then.
  const viewer = ctx.viewer && ctx.app.realtime.viewers.recheck(ctx.viewer);
  return viewer instanceof Promise ? viewer.then((rechecked) => setViewer(ctx, rechecked)) : setViewer(ctx, viewer);
}

function setViewer(ctx: RequestContext, viewer: RequestContext['viewer']): void {
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

/** What a push-mode consumer does with each value (see LiveIterator.drive); a promise holds the next value back until it settles. */
export type Deliver<T> = (value: T) => void | Promise<void>;

/** A subscription's values, pushed as its events arrive instead of pulled (see LiveIterator.drive). */
export interface Drivable<T> {
  drive(deliver: Deliver<T>): Promise<void>;
}

export function isDrivable<T>(iterator: AsyncIterator<T>): iterator is AsyncIterator<T> & Drivable<T> {
  return typeof (iterator as Partial<Drivable<T>>).drive === 'function';
}

/** A slow consumer: the transport is being dropped; say why in the logs, not as a 500. */
const asStreamError = (error: unknown) => (error instanceof StreamOverflowError ? new AppError('RATE_LIMITED', error.message) : error);

/**
 * A subscription's values, pulled (`next`, as graphql-js' subscribe does) or pushed (`drive`).
 * `return()` ends it at once even while it waits for an event (an async generator would wait for
 * the next event first, keeping the channel).
 */
class LiveIterator<E, T> implements AsyncIterableIterator<T>, Drivable<T> {
  private readonly ready: T[] = [];
  private driver?: { deliver: Deliver<T>; resolve: () => void; reject: (error: unknown) => void };
  private pumping = false;

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
        throw asStreamError(error);
      }
      if (item.done) return { value: undefined, done: true };
      let values: T[] | null;
      try {
        values = await this.valuesOf(item.value);
      } catch (error) {
        this.stream.close();
        throw error;
      }
      if (!values) return { value: undefined, done: true };
      this.ready.push(...values);
    }
    return { value: this.ready.shift()!, done: false };
  }

  /**
   * Push mode: each event is handled as it arrives and its values handed to `deliver`, in order,
   * one event at a time; between events nothing waits (see ChannelStream.onReadable). Resolves
   * when the stream ends; rejects with what `next()` would have thrown. Use one mode per iterator.
   */
  drive(deliver: Deliver<T>): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.driver = { deliver, resolve, reject };
      this.stream.onReadable(() => this.pump());
      this.pump();
    });
  }

  /** Takes the queued events in order; one pump at a time (events queued meanwhile are its to take). */
  private pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    this.run();
  }

  /**
   * Handles events synchronously for as long as each step's result is at hand (the usual case of a
   * busy subscription: the viewer check answered, a shared result executed); a step that has to
   * wait resumes the pump when it settles. Plain functions rather than async ones: for thousands
   * of subscribers an async frame and its promises per event were a large part of what each
   * delivery allocated.
   */
  private run(): void {
    try {
      for (;;) {
        const item = this.stream.poll();
        if (!item) {
          this.pumping = false;
          return releaseBetweenEvents(this.ctx);
        }
        if (item.done) return this.end();
        const values = this.valuesOf(item.value);
        if (values instanceof Promise) {
          values.then(
            (ready) => this.resume(ready, 0),
            (error) => this.fail(error),
          );
          return;
        }
        if (!this.deliverFrom(values, 0)) return;
      }
    } catch (error) {
      this.fail(error);
    }
  }

  /** Delivers `values` from `from` on; false when the pump stops here (a delivery to wait for, or the end). */
  private deliverFrom(values: T[] | null, from: number): boolean {
    if (!values) {
      this.end();
      return false;
    }
    for (let index = from; index < values.length; index++) {
      const delivering = this.driver!.deliver(values[index]);
      if (delivering) {
        delivering.then(
          () => this.resume(values, index + 1),
          (error) => this.fail(error),
        );
        return false;
      }
    }
    return true;
  }

  private resume(values: T[] | null, from: number): void {
    try {
      if (this.deliverFrom(values, from)) this.run();
    } catch (error) {
      this.fail(error);
    }
  }

  private end(): void {
    this.pumping = false;
    this.driver!.resolve();
  }

  private fail(error: unknown): void {
    // Closing the stream calls the pump again: still marked pumping, so that call does not take
    // the end for a normal one and resolve before the error is reported.
    this.stream.close();
    this.driver!.reject(asStreamError(error));
    this.pumping = false;
  }

  /** One event's values, with the context renewed for it; null once the stream has closed. Not a promise when nothing had to wait. */
  private valuesOf(event: E | CatchUp): T[] | null | Promise<T[] | null> {
    const renewing = renewForEvent(this.ctx);
    return renewing ? renewing.then(() => this.handled(event)) : this.handled(event);
  }

  private handled(event: E | CatchUp): T[] | null | Promise<T[] | null> {
    const handled = this.handler.handle(this.ctx, event, this.stream);
    return handled instanceof Promise ? handled.then((values) => (this.stream.isClosed ? null : values)) : this.stream.isClosed ? null : handled;
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
