import { createHash, randomUUID } from 'node:crypto';
import { LockMode } from '@mikro-orm/core';
import type { AppServices } from '../../server/context';
import { isStaff, type Viewer } from '../../shared/auth/viewer';
import type { Unsubscribe } from '../../infra/pubsub';
import type { SocketListener } from '../realtime/realtime';
import { onRoutingRetryRequested } from '../routing/routing.retry';
import { drainWaitingTickets } from '../routing/routing.service';
import { ticketTransaction } from '../tickets/ticket.service';
import { changeAgentStatus, systemContext } from './agent-availability.service';
import { registerAgentPresence } from './agent-presence.registry';
import { MemoryPresenceStore, RedisPresenceStore, type DueCheck, type PresenceStore } from './agent-presence.store';
import { AgentStatus } from './agent-status';
import { Agent } from './agent.entity';
import { execute } from '../../infra/sql';

/** Only one instance sweeps at a time: a transaction-scoped advisory lock (per database) decides which. */
const SWEEP_LOCK = 7_301_455_020;
/** Due checks handled per sweep; the rest wait for the next one. */
const SWEEP_BATCH = 100;
/** A routing retry waits this long, so the transaction that asked for it has committed. */
const RETRY_DELAY_MS = 500;

export interface PresenceTimings {
  graceMs: number;
  /** How often this instance re-vouches for its sockets. */
  heartbeatMs: number;
  /** A vouch older than this no longer counts (a crashed instance's sockets). */
  ttlMs: number;
  /** How often each instance looks for due checks (Redis only, unless something is due). */
  sweepMs: number;
  /** While connected, `lastSeenAt` is written at most this often. */
  lastSeenEveryMs: number;
}

const clamp = (value: number, min: number, max: number) => Math.min(max, Math.max(min, Math.round(value)));

/** Everything scales with the grace period: 60 s gives a 10 s heartbeat, a 5 s sweep and lastSeenAt every minute. */
export function presenceTimings(graceSeconds: number): PresenceTimings {
  const graceMs = graceSeconds * 1000;
  const heartbeatMs = clamp(graceMs / 3, 100, 10_000);
  return { graceMs, heartbeatMs, ttlMs: heartbeatMs * 3, sweepMs: clamp(graceMs / 4, 100, 5_000), lastSeenEveryMs: graceMs };
}

export type AbsenceOutcome = 'offline' | 'live' | 'not-available' | { recheckAt: number };

/**
 * Takes an AVAILABLE agent OFFLINE when, with their row locked, they have not been seen for the
 * grace period and `isLive` still finds no socket of theirs anywhere. Their tickets go back to routing.
 */
export async function takeOfflineForAbsence(
  app: AppServices,
  userId: string,
  graceMs: number,
  isLive: () => Promise<boolean>,
): Promise<AbsenceOutcome> {
  return ticketTransaction(systemContext(app, 'presence-sweep'), async (work) => {
    const agent = await work.em.findOne(Agent, { user: userId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
    if (!agent || !agent.active || agent.status !== AgentStatus.AVAILABLE) return 'not-available' as const;
    const seen = (agent.lastSeenAt ?? agent.createdAt).getTime();
    if (seen > Date.now() - graceMs) return { recheckAt: seen + graceMs };
    if (await isLive()) return 'live' as const;
    await changeAgentStatus(work, agent, AgentStatus.OFFLINE, {
      bySystem: true,
      actorId: null,
      why: `had no connection for ${Math.round(graceMs / 1000)} s`,
      autoAssign: app.config.autoAssign,
    });
    return 'offline' as const;
  });
}

/** An agent presence took OFFLINE has a socket again: they are AVAILABLE again (and offered the queue). */
export async function restoreAfterReconnect(app: AppServices, agentId: string): Promise<boolean> {
  return ticketTransaction(systemContext(app, 'presence-restore'), async (work) => {
    const agent = await work.em.findOne(Agent, { id: agentId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
    if (!agent || !agent.active || agent.status !== AgentStatus.OFFLINE || !agent.statusSetBySystem) return false;
    return changeAgentStatus(work, agent, AgentStatus.AVAILABLE, { bySystem: true, actorId: null, why: '', autoAssign: app.config.autoAssign });
  });
}

interface TouchedAgent {
  id: string;
  user_id: string;
  status: string;
  status_set_by_system: boolean;
  active: boolean;
}

/**
 * Agent presence from websockets, for one instance. An AVAILABLE agent with no live socket on any
 * instance for the grace period goes OFFLINE (their open tickets go back to routing); when presence
 * took them OFFLINE, their next connection makes them AVAILABLE again.
 *
 * - Sockets are counted per user here; liveness and the plan of checks are shared through Redis
 *   (in memory without REDIS_URL, for a single instance), with expiry, so instances agree and a
 *   crashed instance's sockets stop counting.
 * - Nothing polls the database: a check is planned when a user's last socket closes (grace later),
 *   when they set AVAILABLE (they have the grace period to connect), and pushed forward by every
 *   heartbeat while connected (so a crashed instance's users are checked too). An idle sweep reads
 *   Redis only, which keeps statement counts in tests (and load in production) honest.
 * - Due checks are handled under a PostgreSQL advisory lock, so one instance at a time sweeps;
 *   each agent is re-checked with their row locked before going OFFLINE.
 * - `lastSeenAt` is written when an agent's first socket here opens and their last one closes,
 *   when they set a status, and at most once per grace period while connected (other sockets
 *   opening and closing meanwhile write nothing).
 * - The sweep also runs routing's retries (`drainWaitingTickets`).
 */
export class AgentPresence implements SocketListener {
  private readonly sockets = new Map<string, number>();
  private readonly lastWritten = new Map<string, number>();
  /** Per user, presence work not yet done, so a close never overtakes its open. */
  private readonly chains = new Map<string, Promise<void>>();
  /** Users with a sync queued and not started yet: it will read their sockets as they are then. */
  private readonly queued = new Set<string>();
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly running = new Map<string, Promise<void>>();
  private stopReconnect?: Unsubscribe;
  private closed = false;

  constructor(
    private readonly app: AppServices,
    private readonly store: PresenceStore,
    readonly timings: PresenceTimings,
  ) {}

  static create(app: AppServices): AgentPresence {
    const timings = presenceTimings(app.config.presenceGraceSeconds);
    const presence = new AgentPresence(app, presenceStore(app, randomUUID(), timings), timings);
    registerAgentPresence(app, presence);
    onRoutingRetryRequested(app, () => presence.requestRoutingRetry());
    presence.start();
    return presence;
  }

  start(): void {
    this.timers.push(
      setInterval(() => this.runExclusive('heartbeat', () => this.heartbeat()), this.timings.heartbeatMs).unref(),
      setInterval(() => this.runExclusive('sweep', () => this.sweep()), this.timings.sweepMs).unref(),
    );
    this.runExclusive('catch-up', () => this.catchUp());
    // Redis may have come back empty: plan the checks again from the database.
    this.stopReconnect = this.app.pubsub.onReconnect(() => this.runExclusive('catch-up', () => this.catchUp()));
  }

  /** A signed-in socket opened: staff count towards presence; customers are not tracked. */
  opened(viewer: Viewer): () => void {
    if (!isStaff(viewer)) return () => undefined;
    const userId = viewer.userId;
    this.sockets.set(userId, (this.sockets.get(userId) ?? 0) + 1);
    this.sync(userId);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const left = (this.sockets.get(userId) ?? 1) - 1;
      if (left > 0) this.sockets.set(userId, left);
      else this.sockets.delete(userId);
      this.sync(userId);
    };
  }

  /** The agent set their status: an AVAILABLE agent must be connected within the grace period. */
  statusSet(userId: string, status: AgentStatus): void {
    if (status !== AgentStatus.AVAILABLE) return;
    this.track(this.store.schedule([{ userId, at: Date.now() + this.timings.graceMs }]));
  }

  requestRoutingRetry(): void {
    this.track(this.store.requestRoutingRetry(Date.now() + RETRY_DELAY_MS));
  }

  /** Re-vouches for this instance's users, pushes their checks forward, and now and then writes `lastSeenAt`. */
  async heartbeat(): Promise<void> {
    const users = [...this.sockets.keys()];
    if (!users.length) return;
    const now = Date.now();
    await this.store.vouch(users, now);
    await this.store.schedule(users.map((userId) => ({ userId, at: this.crashCheckAt(now) })));
    const stale = users.filter((userId) => now - (this.lastWritten.get(userId) ?? 0) >= this.timings.lastSeenEveryMs);
    if (stale.length) await this.touch(stale, new Date(now));
  }

  /**
   * One sweep: due checks (AVAILABLE agents whose sockets are gone go OFFLINE) and a due routing
   * retry, under the advisory lock. Costs no SQL when nothing is due.
   */
  async sweep(): Promise<{ swept: boolean; offline: string[] }> {
    const now = Date.now();
    const due = await this.store.due(now, SWEEP_BATCH);
    const retry = await this.store.takeRoutingRetry(now);
    const offline: string[] = [];
    if (!due.length && !retry) return { swept: false, offline };
    const swept = await this.app.orm.em.fork().transactional(async (tx) => {
      const [{ locked }] = await execute<{ locked: boolean }>(tx, 'select pg_try_advisory_xact_lock(?) as locked', [SWEEP_LOCK]);
      if (!locked) {
        // Another instance is sweeping; the checks stay due for the next round, and so does the retry.
        if (retry) await this.store.requestRoutingRetry(now);
        return false;
      }
      for (const check of due) if (await this.check(check)) offline.push(check.userId);
      if (retry && (await drainWaitingTickets(this.app))) this.requestRoutingRetry();
      return true;
    });
    return { swept, offline };
  }

  /** Stops the timers and waits for presence work in flight (the sockets have closed by now). */
  async close(): Promise<void> {
    this.closed = true;
    this.stopReconnect?.();
    for (const timer of this.timers.splice(0)) clearInterval(timer);
    await Promise.allSettled([...this.running.values()]);
    await this.settled();
  }

  /** Resolves once every pending open/close has reached the store and the database. */
  async settled(): Promise<void> {
    while (this.chains.size || this.running.size) await Promise.allSettled([...this.chains.values(), ...this.running.values()]);
  }

  /** When to look at a connected user if nobody vouches for them again (their instance crashed). */
  private crashCheckAt(now: number): number {
    return now + this.timings.ttlMs + this.timings.graceMs;
  }

  /** Handles one due check; true when the agent went OFFLINE. */
  private async check(check: DueCheck): Promise<boolean> {
    const isLive = async () => (await this.store.live([check.userId], Date.now())).has(check.userId);
    const outcome = (await isLive()) ? 'live' : await takeOfflineForAbsence(this.app, check.userId, this.timings.graceMs, isLive);
    await this.store.done(check);
    // A live user's heartbeats plan their next check; one seen lately is looked at again later.
    if (typeof outcome === 'object') await this.store.schedule([{ userId: check.userId, at: outcome.recheckAt }]);
    return outcome === 'offline';
  }

  /** On start (and after Redis came back): plans a check for every AVAILABLE agent, and routes what waits. */
  private async catchUp(): Promise<void> {
    const rows = await this.app.orm.em
      .getConnection()
      .execute<{ user_id: string; seen: Date }[]>(`select user_id, coalesce(last_seen_at, created_at) as seen from agents where active and status = 'AVAILABLE'`);
    await this.store.schedule(
      rows.map((row) => ({ userId: row.user_id, at: new Date(row.seen).getTime() + this.timings.graceMs })),
      true,
    );
    if (await drainWaitingTickets(this.app)) this.requestRoutingRetry();
  }

  /** Brings the shared state in line with this instance's sockets of `userId`, after earlier work for them. */
  private sync(userId: string): void {
    // A sync still waiting reads the socket count when it runs, so it covers this change too: a
    // reconnect storm (every socket of an agent closing, then opening) is a few syncs per agent
    // instead of two Redis writes and an UPDATE of the agent's row per socket.
    if (this.queued.has(userId)) return;
    this.queued.add(userId);
    const previous = this.chains.get(userId) ?? Promise.resolve();
    const next = previous
      .then(async () => {
        this.queued.delete(userId);
        const now = Date.now();
        // Still connected here, and vouched for and written as connected lately: another socket
        // opening or closing changes nothing (the heartbeat keeps it fresh). A reconnect storm
        // wrote lastSeenAt hundreds of times per agent otherwise.
        const writtenAt = this.lastWritten.get(userId);
        if (this.sockets.has(userId) && writtenAt !== undefined && now - writtenAt < this.timings.lastSeenEveryMs) return;
        if (this.sockets.has(userId)) {
          await this.store.vouch([userId], now);
          await this.store.schedule([{ userId, at: this.crashCheckAt(now) }]);
        } else {
          await this.store.release(userId);
          await this.store.schedule([{ userId, at: now + this.timings.graceMs }]);
        }
        // Opening and closing both count as being seen; opening may also bring them back.
        await this.touch([userId], new Date(now));
      })
      .catch((error) => this.app.logger.warn({ err: error, userId }, 'agent presence update failed'))
      .finally(() => {
        if (this.chains.get(userId) === next) this.chains.delete(userId);
      });
    this.chains.set(userId, next);
  }

  /** Writes `lastSeenAt`; agents presence took OFFLINE who have a socket here are made AVAILABLE again. */
  private async touch(userIds: string[], at: Date): Promise<void> {
    const rows = await this.app.orm.em
      .getConnection()
      .execute<TouchedAgent[]>('update agents set last_seen_at = ? where user_id in (?) returning id, user_id, status, status_set_by_system, active', [
        at,
        userIds,
      ]);
    for (const userId of userIds) {
      if (this.sockets.has(userId)) this.lastWritten.set(userId, at.getTime());
      else this.lastWritten.delete(userId);
    }
    for (const row of rows) {
      if (row.active && row.status === 'OFFLINE' && row.status_set_by_system && this.sockets.has(row.user_id)) {
        await restoreAfterReconnect(this.app, row.id);
      }
    }
  }

  private track(work: Promise<unknown>): void {
    const key = `track:${randomUUID()}`;
    const run = work
      .then(() => undefined)
      .catch((error) => this.app.logger.warn({ err: error }, 'agent presence update failed'))
      .finally(() => this.running.delete(key));
    this.running.set(key, run);
  }

  /** A timer's work never overlaps itself and never starts after close. */
  private runExclusive(job: string, work: () => Promise<unknown>): void {
    if (this.closed || this.running.has(job)) return;
    const run = work()
      .then(() => undefined)
      .catch((error) => this.app.logger.warn({ err: error, job }, 'agent presence work failed'))
      .finally(() => this.running.delete(job));
    this.running.set(job, run);
  }
}

/**
 * The store an instance (`instanceId`) of `app` keeps presence in: Redis when configured, with the
 * plan of checks namespaced by database; memory otherwise.
 */
export function presenceStore(app: AppServices, instanceId: string, timings: PresenceTimings): PresenceStore {
  const redis = app.pubsub.redis;
  if (!redis) return new MemoryPresenceStore();
  const database = createHash('sha256').update(String(app.orm.config.get('clientUrl'))).digest('hex').slice(0, 12);
  return new RedisPresenceStore(redis, instanceId, database, timings.ttlMs);
}

/** Each app instance gets its own presence when its real-time layer starts (see agents/index.ts). */
export function createAgentPresence(app: AppServices): AgentPresence {
  return AgentPresence.create(app);
}
