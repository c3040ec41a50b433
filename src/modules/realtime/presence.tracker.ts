import type { Logger } from 'pino';
import type { EventPublisher } from '../../shared/events/publisher';
import type { PresenceEntry, PresenceStore } from './presence.store';

/**
 * This instance's side of presence: the entries of its own subscribers, written to the shared
 * store and vouched for on every heartbeat. Every change is announced on the ticket's channel;
 * subscribers then read the whole list from the store, so each event lists everyone, everywhere.
 */
export class PresenceTracker {
  private readonly local = new Map<string, PresenceEntry>();
  private readonly pending = new Set<Promise<void>>();
  private timer?: NodeJS.Timeout;
  private counter = 0;

  constructor(
    private readonly store: PresenceStore,
    private readonly events: EventPublisher,
    private readonly logger: Logger,
    private readonly instanceId: string,
    private readonly heartbeatMs: number,
  ) {}

  /** Starts the heartbeat (only a shared store needs one). */
  start(shared: boolean): void {
    if (shared) this.timer = setInterval(() => void this.heartbeat(false), this.heartbeatMs).unref();
  }

  /** Adds a viewer and tells the ticket's subscribers. */
  async join(ticketId: string, userId: string): Promise<PresenceEntry> {
    const entry: PresenceEntry = { ticketId, userId, member: `${userId}|${this.instanceId}|${++this.counter}` };
    this.local.set(entry.member, entry);
    await this.store.add(entry, Date.now());
    await this.events.ticketActivity({ type: 'PRESENCE_CHANGED', ticketId });
    return entry;
  }

  /** Removes a viewer (unsubscribe, socket closed, missed ping); runs in the background. */
  leave(entry: PresenceEntry): void {
    if (!this.local.delete(entry.member)) return;
    this.track(async () => {
      await this.store.remove(entry);
      await this.events.ticketActivity({ type: 'PRESENCE_CHANGED', ticketId: entry.ticketId });
    });
  }

  viewers(ticketId: string): Promise<string[]> {
    return this.store.viewers(ticketId, Date.now());
  }

  /**
   * Re-vouches for this instance's entries and drops those nobody vouched for (a crashed
   * instance's). After a Redis restart the store is empty: `announceAll` re-announces every ticket.
   */
  async heartbeat(announceAll: boolean): Promise<void> {
    const entries = [...this.local.values()];
    try {
      const changed = await this.store.refresh(entries, Date.now());
      const tickets = announceAll ? [...new Set(entries.map((entry) => entry.ticketId))] : changed;
      await Promise.all(tickets.map((ticketId) => this.events.ticketActivity({ type: 'PRESENCE_CHANGED', ticketId })));
    } catch (error) {
      this.logger.warn({ err: error }, 'presence heartbeat failed');
    }
  }

  /** Entries of this instance's subscribers. */
  get localCount(): number {
    return this.local.size;
  }

  /** Leaves everything this instance holds and waits for the store to hear it. */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    for (const entry of [...this.local.values()]) this.leave(entry);
    await this.settled();
  }

  /** Resolves once every background removal has reached the store. */
  async settled(): Promise<void> {
    while (this.pending.size) await Promise.allSettled([...this.pending]);
  }

  private track(work: () => Promise<void>): void {
    const promise = work()
      .catch((error) => this.logger.warn({ err: error }, 'presence update failed'))
      .finally(() => this.pending.delete(promise));
    this.pending.add(promise);
  }
}
