import type { EntityManager } from '@mikro-orm/postgresql';
import type { Unsubscribe } from '../../infra/pubsub';
import type { AppServices } from '../../server/context';
import { channels, type StaffTicketsEvent } from '../../shared/events/topics';
import { clock } from '../sla';
import type { ChannelStream } from '../realtime/channel-stream';
import { computeDashboardStats } from './dashboard.service';
import type { DashboardStats } from './dashboard.payloads';
import { filterKey, resolveScope, type StatsFilterInput } from './stats-range';

/** What a feed hands each of its subscribers' streams. */
export interface DashboardPush {
  type: 'DASHBOARD_STATS';
  stats: DashboardStats;
}

/** Even without events, figures move with the clock (midnight, SLA clocks): recomputed this often, pushed only if they changed. */
const REFRESH_MS = 60_000;

/** Events that may change a figure; the rest (read receipts, edits, typing) never cost a computation. */
function mayChangeStatistics(event: StaffTicketsEvent | { type: string }): boolean {
  switch (event.type) {
    case 'TICKET_CREATED':
    case 'TICKET_EVENT':
    case 'AGENT_STATUS_CHANGED':
      return true;
    case 'MESSAGE_ADDED':
      // A first agent reply sets the response time; internal notes change nothing.
      return !(event as { internal: boolean }).internal;
    default:
      return false;
  }
}

/** Two computations that would show the same screen. */
function fingerprint(stats: DashboardStats): string {
  return JSON.stringify({ ...stats, recentActivity: stats.recentActivity.map((event) => event.id) });
}

/**
 * The statistics for one filter on one instance, shared by every subscriber to that filter:
 * computed once per change (not once per subscriber), at most once per `intervalMs` — the first
 * change after a quiet spell right away, the changes that follow it together at the end of the
 * interval — and pushed only when the figures differ from the last push.
 */
export class DashboardFeed {
  private readonly streams = new Set<ChannelStream<DashboardPush>>();
  private releases: Unsubscribe[] = [];
  private latest?: { stats: DashboardStats; fingerprint: string };
  private timer?: NodeJS.Timeout;
  private refresh?: NodeJS.Timeout;
  private running?: Promise<void>;
  private dirty = false;
  private lastRunAt = 0;
  private closed = false;
  /** Computations so far (tests and metrics: one per change burst, whatever the number of subscribers). */
  computations = 0;
  /** When the latest computations started (the last 50), to show their spacing. */
  readonly startedAt: number[] = [];

  constructor(
    private readonly app: AppServices,
    private readonly filter: StatsFilterInput | null,
    private readonly intervalMs: number,
    private readonly onClose: () => void,
  ) {}

  get subscriberCount(): number {
    return this.streams.size;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Listens to the staff-wide streams; resolves once events published from now on will be heard. */
  async open(): Promise<void> {
    const changed = (event: { type: string }) => {
      if (mayChangeStatistics(event)) this.changed();
    };
    this.releases.push(await this.app.pubsub.listen<StaffTicketsEvent>(channels.staffTickets(), changed));
    this.releases.push(await this.app.pubsub.listen<{ type: string }>(channels.staffAgents(), changed));
    // Events published while the broker was away are lost: recompute.
    this.releases.push(this.app.pubsub.onReconnect(() => this.changed()));
    this.refresh = setInterval(() => this.changed(), REFRESH_MS);
    this.refresh.unref();
  }

  /** A new subscriber gets the current figures at once: the last push if there is one, else a first computation. */
  add(stream: ChannelStream<DashboardPush>): void {
    this.streams.add(stream);
    if (this.latest) stream.push({ type: 'DASHBOARD_STATS', stats: this.latest.stats });
    else this.changed(true);
  }

  remove(stream: ChannelStream<DashboardPush>): void {
    this.streams.delete(stream);
    if (this.streams.size === 0) this.close();
  }

  /** Something may have changed: compute now if the interval allows, else once at its end. */
  changed(initial = false): void {
    if (this.closed) return;
    this.dirty = true;
    if (this.timer || this.running) return;
    const wait = initial ? 0 : Math.max(0, this.lastRunAt + this.intervalMs - Date.now());
    this.timer = setTimeout(() => void this.run(), wait);
    this.timer.unref();
  }

  private async run(): Promise<void> {
    this.timer = undefined;
    if (this.closed) return;
    this.dirty = false;
    this.lastRunAt = Date.now();
    this.startedAt.push(this.lastRunAt);
    if (this.startedAt.length > 50) this.startedAt.shift();
    this.running = (async () => {
      try {
        this.computations++;
        const scope = resolveScope(this.filter, clock.now(), this.app.config.dashboard.timeZone);
        const stats = await computeDashboardStats(this.app.orm.em.fork() as EntityManager, scope);
        const print = fingerprint(stats);
        if (this.latest?.fingerprint === print) return;
        this.latest = { stats, fingerprint: print };
        for (const stream of this.streams) stream.push({ type: 'DASHBOARD_STATS', stats });
      } catch (error) {
        this.app.logger.warn({ err: error }, 'dashboard statistics could not be computed; next change retries');
      }
    })();
    await this.running;
    this.running = undefined;
    if (this.dirty) this.changed();
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.timer);
    clearInterval(this.refresh);
    for (const release of this.releases.splice(0)) release();
    this.onClose();
  }
}

/** The feeds of each app instance (tests run two in one process), by filter. */
const feedsByApp = new WeakMap<AppServices, Map<string, Promise<DashboardFeed>>>();

/** The instance's feed for `filter`, opened on first use; it closes itself with its last subscriber. */
function dashboardFeed(app: AppServices, filter: StatsFilterInput | null): Promise<DashboardFeed> {
  let feeds = feedsByApp.get(app);
  if (!feeds) feedsByApp.set(app, (feeds = new Map()));
  const key = filterKey(filter);
  let feed = feeds.get(key);
  if (!feed) {
    const created = new DashboardFeed(app, filter, app.config.dashboard.pushIntervalMs, () => {
      if (feeds.get(key) === feed) feeds.delete(key);
    });
    feed = created.open().then(
      () => created,
      (error) => {
        feeds.delete(key);
        throw error;
      },
    );
    feeds.set(key, feed);
  }
  return feed;
}

/** Adds `stream` to the instance's feed for `filter` (a feed that closed meanwhile is replaced); returns the feed. */
export async function joinDashboardFeed(app: AppServices, filter: StatsFilterInput | null, stream: ChannelStream<DashboardPush>): Promise<DashboardFeed> {
  for (;;) {
    const feed = await dashboardFeed(app, filter);
    if (feed.isClosed) continue;
    feed.add(stream);
    return feed;
  }
}

/** How many feeds this instance runs and how often they computed (leak checks, tests, metrics). */
export async function dashboardFeedStats(
  app: AppServices,
): Promise<{ feeds: number; subscribers: number; computations: number; startedAt: Record<string, number[]> }> {
  const entries = [...(feedsByApp.get(app)?.entries() ?? [])];
  const feeds = await Promise.all(entries.map(([, feed]) => feed));
  return {
    feeds: feeds.length,
    subscribers: feeds.reduce((sum, feed) => sum + feed.subscriberCount, 0),
    computations: feeds.reduce((sum, feed) => sum + feed.computations, 0),
    startedAt: Object.fromEntries(entries.map(([key], i) => [key, [...feeds[i].startedAt]])),
  };
}
