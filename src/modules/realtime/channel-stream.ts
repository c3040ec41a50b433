import type { PubSub, Unsubscribe } from '../../infra/pubsub';

/**
 * Put in a stream when it must read the database instead of waiting for the next event: at the
 * start of an `afterSeq` replay, for the next batch of one, and after the pub/sub connection came
 * back (events published while it was away are lost, the database has them).
 */
export const CATCH_UP = Object.freeze({ type: 'CATCH_UP' as const });
export type CatchUp = typeof CATCH_UP;

export interface ChannelStreamOptions<E> {
  /** Events held for a consumer that does not keep up; one more overflows the stream. */
  maxQueued: number;
  /** Called once when the stream overflows (the transport disconnects the slow consumer). */
  onOverflow?: () => void;
  /** Called once when the stream ends, however it ends. */
  onClose?: () => void;
  /** Events this stream wants; others are dropped on arrival, never queued (catch-up markers always pass). */
  accepts?: (event: E) => boolean;
}

/** The stream was ended because its consumer fell more than `maxQueued` events behind. */
export class StreamOverflowError extends Error {
  constructor() {
    super('The subscriber fell too far behind; resubscribe (with afterSeq for messageAdded).');
  }
}

/**
 * Events from one or more pub/sub channels, subscribed eagerly: when `open` resolves, the broker
 * delivers everything published from then on, so a caller may read the database next and lose
 * nothing in between. Events wait in a bounded queue until pulled; `close` ends it at once, even
 * while a `next()` is waiting, and releases every channel.
 */
export class ChannelStream<E> implements AsyncIterableIterator<E | CatchUp> {
  private readonly queue: (E | CatchUp)[] = [];
  private waiting?: { resolve: (result: IteratorResult<E | CatchUp>) => void; reject: (error: Error) => void };
  private readonly releases: Unsubscribe[] = [];
  private failure?: Error;
  private closed = false;
  /** Push mode (see onReadable): told of each event queued and of the end, instead of a waiting `next()`. */
  private readable?: () => void;

  private constructor(private readonly options: ChannelStreamOptions<E>) {}

  static async open<E>(pubsub: PubSub, channels: string[], options: ChannelStreamOptions<E>): Promise<ChannelStream<E>> {
    const stream = new ChannelStream<E>(options);
    try {
      for (const channel of channels) {
        const release = await pubsub.listen<E>(channel, (event) => stream.push(event));
        if (stream.closed) release();
        else stream.releases.push(release);
      }
      stream.releases.push(pubsub.onReconnect(() => stream.push(CATCH_UP)));
    } catch (error) {
      stream.close();
      throw error;
    }
    return stream;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Queues an event (or hands it to a waiting `next()`); overflows past `maxQueued`. */
  push(event: E | CatchUp): void {
    if (this.closed) return;
    if (event !== CATCH_UP && this.options.accepts && !this.options.accepts(event as E)) return;
    if (this.waiting) {
      const { resolve } = this.waiting;
      this.waiting = undefined;
      resolve({ value: event, done: false });
      return;
    }
    if (event === CATCH_UP && this.queue.includes(CATCH_UP)) return;
    if (this.queue.length >= this.options.maxQueued) {
      this.fail(new StreamOverflowError());
      this.options.onOverflow?.();
      return;
    }
    this.queue.push(event);
    this.readable?.();
  }

  /**
   * Push mode: `callback` runs (synchronously) whenever an event is queued or the stream ends, and
   * the consumer takes what is there with `poll`. Nothing waits between events then: a `next()`
   * per subscriber would be a promise created for every event and kept until the next one, and
   * with thousands of subscribers those survivors are what young-generation GC spends its pauses
   * copying.
   */
  onReadable(callback: () => void): void {
    this.readable = callback;
  }

  /** The next queued event without waiting: undefined when none is queued, done once ended; throws the stream's failure. */
  poll(): IteratorResult<E | CatchUp> | undefined {
    if (this.queue.length > 0) return { value: this.queue.shift()!, done: false };
    if (this.failure) throw this.failure;
    if (this.closed) return { value: undefined, done: true };
    return undefined;
  }

  /** Puts a marker ahead of the queued events, so the next pull reads the database first. */
  pushFront(event: CatchUp): void {
    if (this.closed) return;
    if (this.waiting) return this.push(event);
    if (this.queue[0] !== CATCH_UP) this.queue.unshift(event);
    this.readable?.();
  }

  next(): Promise<IteratorResult<E | CatchUp>> {
    if (this.queue.length > 0) return Promise.resolve({ value: this.queue.shift()!, done: false });
    if (this.failure) return Promise.reject(this.failure);
    if (this.closed) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
    });
  }

  async return(): Promise<IteratorResult<E | CatchUp>> {
    this.close();
    return { value: undefined, done: true };
  }

  async throw(error: unknown): Promise<IteratorResult<E | CatchUp>> {
    this.close();
    throw error;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /** Ends the stream: drops what is queued, releases the channels, finishes a waiting `next()`. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.queue.length = 0;
    for (const release of this.releases.splice(0)) release();
    const waiting = this.waiting;
    this.waiting = undefined;
    if (waiting && this.failure) waiting.reject(this.failure);
    else waiting?.resolve({ value: undefined, done: true });
    this.options.onClose?.();
    this.readable?.();
  }

  private fail(error: Error): void {
    this.failure = error;
    this.close();
  }
}
