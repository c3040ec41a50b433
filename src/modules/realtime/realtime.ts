import { randomUUID } from 'node:crypto';
import type { ExecutionResult } from 'graphql';
import type { AppServices } from '../../server/context';
import type { Viewer } from '../../shared/auth/viewer';
import { MemoryPresenceStore, RedisPresenceStore } from './presence.store';
import { PresenceTracker } from './presence.tracker';
import { DEFAULT_REALTIME_LIMITS, type RealtimeLimits } from './realtime.limits';
import { MemoryTypingStore, RedisTypingStore } from './typing.store';
import { TypingTracker } from './typing.tracker';
import { MessageFeed } from './message-feed';
import { ViewerRechecks } from './viewer-rechecks';
import { SharedResults } from './shared-results';
import { TicketAccessReads } from './ticket-access';

/** What a subscription may do to the websocket it runs on. */
export interface ConnectionHandle {
  /** Drops the socket at once, for a consumer that stopped reading (a close frame would queue behind its backlog). */
  terminate(reason: string): void;
  /**
   * Writes a `next` frame for this operation, as graphql-ws would (errors masked), without
   * waiting for the write. `payload` is the result already serialized, when it has no errors
   * (see SharedResults: once per result however many subscribers share it).
   */
  sendNext?(result: ExecutionResult, payload?: string): void;
}

/**
 * A per-instance service that hears of every signed-in websocket (agent presence). Modules
 * register a factory at import time; each app instance builds its own and closes it with the
 * real-time layer.
 */
export interface SocketListener {
  /** A socket signed in as `viewer` was accepted; returns what to run when it closes. */
  opened(viewer: Viewer): () => void;
  close(): Promise<void>;
}

const socketListenerFactories: ((app: AppServices) => SocketListener)[] = [];

export function onSignedInSockets(factory: (app: AppServices) => SocketListener): void {
  socketListenerFactories.push(factory);
}

/** Live counts of this instance, for leak checks in tests and for metrics. */
export interface RealtimeStats {
  /** Open graphql-ws sockets. */
  sockets: number;
  /** Operations running on them (mostly subscriptions). */
  operations: number;
  /** Open event streams (each holds channel listeners). */
  streams: number;
  /** Distinct pub/sub channels this instance is subscribed to. */
  channels: number;
  /** Presence entries of this instance's subscribers. */
  presenceEntries: number;
  /** Typing states this instance will expire. */
  typingTimers: number;
}

/**
 * The real-time state of one instance: limits, presence, typing and counters. One per app (tests
 * run two apps in one process), reached through `ctx.app.realtime`.
 */
export class Realtime {
  readonly instanceId = randomUUID();
  readonly limits: RealtimeLimits;
  readonly presence: PresenceTracker;
  readonly typing: TypingTracker;
  /** Subscribers' per-event viewer checks: answers at most a second old, shared per session, renewed ahead while in use. */
  readonly viewers: ViewerRechecks;
  /** messageAdded's reads, shared among this instance's subscribers of a ticket and batched. */
  readonly messages: MessageFeed;
  /** Subscription values executed once per view for all the subscribers that share them. */
  readonly results = new SharedResults();
  /** Subscriptions' ticket reads at start (authorization and cursor), batched. */
  readonly tickets: TicketAccessReads;
  private readonly counts = { sockets: 0, operations: 0, streams: 0 };
  private readonly stopReconnectHeartbeat: () => void;
  private readonly socketListeners: SocketListener[];

  constructor(
    private readonly app: AppServices,
    limits: Partial<RealtimeLimits> = {},
  ) {
    this.limits = { ...DEFAULT_REALTIME_LIMITS, ...limits };
    const { pubsub, events, logger } = app;
    const redis = pubsub.redis;
    this.presence = new PresenceTracker(
      redis ? new RedisPresenceStore(redis, this.limits.presenceTtlMs) : new MemoryPresenceStore(),
      events,
      logger,
      this.instanceId,
      this.limits.presenceHeartbeatMs,
    );
    this.presence.start(!!redis);
    // Redis may have come back empty (it keeps no data across a restart here): put our entries back.
    this.stopReconnectHeartbeat = pubsub.onReconnect(() => void this.presence.heartbeat(true));
    this.typing = new TypingTracker(
      redis ? new RedisTypingStore(redis, this.limits.typingTimeoutMs * 3) : new MemoryTypingStore(),
      pubsub,
      events,
      logger,
      this.limits.typingTimeoutMs,
    );
    this.viewers = new ViewerRechecks(app.orm);
    this.messages = new MessageFeed(app.orm, this.limits.catchUpBatchSize);
    this.tickets = new TicketAccessReads(app.orm);
    this.socketListeners = socketListenerFactories.map((create) => create(app));
  }

  stats(): RealtimeStats {
    return {
      ...this.counts,
      channels: this.app.pubsub.channelCount(),
      presenceEntries: this.presence.localCount,
      typingTimers: this.typing.pendingCount,
    };
  }

  /** Counter bookkeeping; each returns its own undo, safe to call once. */
  socketOpened(): () => void {
    return this.count('sockets');
  }
  operationStarted(): () => void {
    return this.count('operations');
  }
  streamOpened(): () => void {
    return this.count('streams');
  }

  /** Tells the socket listeners a signed-in socket opened; returns the undo for its close. */
  socketSignedIn(viewer: Viewer): () => void {
    const closes = this.socketListeners.map((listener) => listener.opened(viewer));
    return () => closes.forEach((close) => close());
  }

  /** After the sockets are closed: stop timers, take our presence and typing states out of Redis. */
  async close(): Promise<void> {
    this.stopReconnectHeartbeat();
    this.viewers.close();
    await Promise.all([this.presence.close(), this.typing.close(), ...this.socketListeners.map((listener) => listener.close())]);
  }

  private count(key: keyof Realtime['counts']): () => void {
    this.counts[key]++;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.counts[key]--;
    };
  }
}
