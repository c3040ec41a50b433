import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { PubSub, Unsubscribe } from '../../infra/pubsub';
import type { EventPublisher } from '../../shared/events/publisher';
import { channels, type TicketChannelEvent } from '../../shared/events/topics';
import type { TypingStore } from './typing.store';

interface PendingStop {
  ticketId: string;
  userId: string;
  token: string;
  timer: NodeJS.Timeout;
}

/**
 * Typing state, expired on the server: a `true` without a refresh for `timeoutMs` becomes a
 * `false`, and so does the moment that user's message arrives. The instance that took the latest
 * refresh owns the timer; while it holds one for a ticket it listens to that ticket's channel for
 * MESSAGE_ADDED. The shared store decides which instance announces a stop, so it is said once.
 */
export class TypingTracker {
  private readonly pending = new Map<string, PendingStop>();
  private readonly watches = new Map<string, { users: number; release: Promise<Unsubscribe> }>();
  private readonly running = new Set<Promise<unknown>>();

  constructor(
    private readonly store: TypingStore,
    private readonly pubsub: PubSub,
    private readonly events: EventPublisher,
    private readonly logger: Logger,
    private readonly timeoutMs: number,
  ) {}

  /** Starts or refreshes; announces `true` only on the transition. */
  async start(ticketId: string, userId: string): Promise<void> {
    const key = `${ticketId}:${userId}`;
    const token = randomUUID();
    const previous = this.pending.get(key);
    if (previous) clearTimeout(previous.timer);
    else await this.watch(ticketId);
    this.pending.set(key, {
      ticketId,
      userId,
      token,
      timer: setTimeout(() => this.track(this.expire(key, token)), this.timeoutMs),
    });
    if (await this.store.start(ticketId, userId, token)) await this.announce(ticketId, userId, true);
  }

  /** Stops now (the user said so, or their message arrived); announces `false` if they were typing. */
  async stop(ticketId: string, userId: string): Promise<void> {
    this.forget(`${ticketId}:${userId}`);
    if (await this.store.stop(ticketId, userId)) await this.announce(ticketId, userId, false);
  }

  /** Typing states this instance will expire. */
  get pendingCount(): number {
    return this.pending.size;
  }

  /** Stops every state this instance owns, so no client is left showing a stale indicator. */
  async close(): Promise<void> {
    await Promise.allSettled([...this.pending.values()].map((entry) => this.expire(`${entry.ticketId}:${entry.userId}`, entry.token)));
    while (this.running.size) await Promise.allSettled([...this.running]);
  }

  private async expire(key: string, token: string): Promise<void> {
    const entry = this.pending.get(key);
    if (!entry || entry.token !== token) return;
    this.forget(key);
    if (await this.store.expire(entry.ticketId, entry.userId, token)) await this.announce(entry.ticketId, entry.userId, false);
  }

  private forget(key: string): void {
    const entry = this.pending.get(key);
    if (!entry) return;
    clearTimeout(entry.timer);
    this.pending.delete(key);
    this.unwatch(entry.ticketId);
  }

  private announce(ticketId: string, userId: string, isTyping: boolean): Promise<void> {
    return this.events.ticketActivity({ type: 'TYPING', ticketId, userId, isTyping, at: new Date() });
  }

  /** Listens for the typing users' messages; resolves once the listener is live. */
  private async watch(ticketId: string): Promise<void> {
    const existing = this.watches.get(ticketId);
    if (existing) {
      existing.users++;
      await existing.release;
      return;
    }
    const release = this.pubsub.listen<TicketChannelEvent>(channels.ticket(ticketId), (event) => {
      if (event.type === 'MESSAGE_ADDED' && event.authorId && this.pending.has(`${ticketId}:${event.authorId}`)) {
        this.track(this.stop(ticketId, event.authorId));
      }
    });
    this.watches.set(ticketId, { users: 1, release });
    try {
      await release;
    } catch (error) {
      this.watches.delete(ticketId);
      throw error;
    }
  }

  private unwatch(ticketId: string): void {
    const watch = this.watches.get(ticketId);
    if (!watch || --watch.users > 0) return;
    this.watches.delete(ticketId);
    watch.release.then((release) => release()).catch(() => undefined);
  }

  private track(work: Promise<unknown>): void {
    const promise = work.catch((error) => this.logger.warn({ err: error }, 'typing update failed')).finally(() => this.running.delete(promise));
    this.running.add(promise);
  }
}
