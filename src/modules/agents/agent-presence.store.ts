import type Redis from 'ioredis';

export interface DueCheck {
  userId: string;
  /** When the check was asked for (ms): `done` only clears a check that was not moved since. */
  at: number;
}

/**
 * Presence state shared by the instances (Redis), or kept in memory without REDIS_URL (a single
 * instance). Nothing here touches the database, so an idle sweep costs no SQL.
 *
 * - Liveness: each instance vouches for the users it holds sockets of, again on every heartbeat;
 *   a vouch older than `ttlMs` no longer counts, so a crashed instance's sockets stop counting.
 * - Due checks: when to look whether a user should go OFFLINE (their last socket closed, they set
 *   AVAILABLE, or a heartbeat pushed the check forward); one entry per user, the latest request wins.
 * - A routing retry: a moment from which the sweep should match waiting tickets with capacity.
 */
export interface PresenceStore {
  vouch(userIds: readonly string[], now: number): Promise<void>;
  release(userId: string): Promise<void>;
  /** Of `userIds`, those some instance vouched for within the ttl. */
  live(userIds: readonly string[], now: number): Promise<Set<string>>;
  /** Asks for a check of each user at its time; `ifAbsent` keeps an existing request. */
  schedule(checks: readonly DueCheck[], ifAbsent?: boolean): Promise<void>;
  /** Checks due by `now`, oldest first. */
  due(now: number, limit: number): Promise<DueCheck[]>;
  /** Clears a check, unless it was rescheduled since it was read. */
  done(check: DueCheck): Promise<void>;
  requestRoutingRetry(at: number): Promise<void>;
  /** True (and cleared) when a routing retry is due by `now`. */
  takeRoutingRetry(now: number): Promise<boolean>;
}

// Deletes a sorted-set member only if its score is still the one that was read.
const DELETE_IF_UNCHANGED = `if redis.call('zscore', KEYS[1], ARGV[1]) == ARGV[2] then return redis.call('zrem', KEYS[1], ARGV[1]) end return 0`;
// Takes the retry marker only once its time has come.
const TAKE_IF_DUE = `local at = redis.call('get', KEYS[1]) if at and tonumber(at) <= tonumber(ARGV[1]) then redis.call('del', KEYS[1]) return 1 end return 0`;

/**
 * Redis. Liveness is keyed by user (ids are global); the due checks and the retry marker are
 * keyed by `namespace` (one per database), since instances of other deployments, or other test
 * databases, may share the Redis.
 */
export class RedisPresenceStore implements PresenceStore {
  constructor(
    private readonly redis: Redis,
    private readonly instanceId: string,
    private readonly namespace: string,
    private readonly ttlMs: number,
  ) {}

  private liveKey(userId: string): string {
    return `parley:agent-live:${userId}`;
  }
  private get dueKey(): string {
    return `parley:${this.namespace}:agent-presence-due`;
  }
  private get retryKey(): string {
    return `parley:${this.namespace}:routing-retry`;
  }

  async vouch(userIds: readonly string[], now: number): Promise<void> {
    if (!userIds.length) return;
    const batch = this.redis.multi();
    for (const userId of userIds) batch.zadd(this.liveKey(userId), now, this.instanceId).pexpire(this.liveKey(userId), this.ttlMs * 2);
    await batch.exec();
  }

  async release(userId: string): Promise<void> {
    await this.redis.zrem(this.liveKey(userId), this.instanceId);
  }

  async live(userIds: readonly string[], now: number): Promise<Set<string>> {
    if (!userIds.length) return new Set();
    const batch = this.redis.pipeline();
    for (const userId of userIds) batch.zcount(this.liveKey(userId), now - this.ttlMs, '+inf');
    const results = (await batch.exec()) ?? [];
    return new Set(userIds.filter((_, index) => Number(results[index]?.[1] ?? 0) > 0));
  }

  async schedule(checks: readonly DueCheck[], ifAbsent = false): Promise<void> {
    if (!checks.length) return;
    const args = checks.flatMap((check) => [check.at, check.userId]);
    if (ifAbsent) await this.redis.zadd(this.dueKey, 'NX', ...args);
    else await this.redis.zadd(this.dueKey, ...args);
  }

  async due(now: number, limit: number): Promise<DueCheck[]> {
    const flat = await this.redis.zrangebyscore(this.dueKey, '-inf', now, 'WITHSCORES', 'LIMIT', 0, limit);
    const checks: DueCheck[] = [];
    for (let index = 0; index < flat.length; index += 2) checks.push({ userId: flat[index], at: Number(flat[index + 1]) });
    return checks;
  }

  async done(check: DueCheck): Promise<void> {
    await this.redis.eval(DELETE_IF_UNCHANGED, 1, this.dueKey, check.userId, String(check.at));
  }

  async requestRoutingRetry(at: number): Promise<void> {
    // The earliest pending request wins: a later one must not postpone it.
    const current = Number(await this.redis.get(this.retryKey));
    if (!current || at < current) await this.redis.set(this.retryKey, String(at), 'PX', 60_000);
  }

  async takeRoutingRetry(now: number): Promise<boolean> {
    return (await this.redis.eval(TAKE_IF_DUE, 1, this.retryKey, String(now))) === 1;
  }
}

/** One process (no REDIS_URL): this instance's sockets and plans are all there are. */
export class MemoryPresenceStore implements PresenceStore {
  private readonly users = new Set<string>();
  private readonly checks = new Map<string, number>();
  private retryAt: number | null = null;

  async vouch(userIds: readonly string[]): Promise<void> {
    for (const userId of userIds) this.users.add(userId);
  }

  async release(userId: string): Promise<void> {
    this.users.delete(userId);
  }

  async live(userIds: readonly string[]): Promise<Set<string>> {
    return new Set(userIds.filter((userId) => this.users.has(userId)));
  }

  async schedule(checks: readonly DueCheck[], ifAbsent = false): Promise<void> {
    for (const check of checks) if (!ifAbsent || !this.checks.has(check.userId)) this.checks.set(check.userId, check.at);
  }

  async due(now: number, limit: number): Promise<DueCheck[]> {
    return [...this.checks]
      .filter(([, at]) => at <= now)
      .sort((a, b) => a[1] - b[1])
      .slice(0, limit)
      .map(([userId, at]) => ({ userId, at }));
  }

  async done(check: DueCheck): Promise<void> {
    if (this.checks.get(check.userId) === check.at) this.checks.delete(check.userId);
  }

  async requestRoutingRetry(at: number): Promise<void> {
    if (this.retryAt == null || at < this.retryAt) this.retryAt = at;
  }

  async takeRoutingRetry(now: number): Promise<boolean> {
    if (this.retryAt == null || this.retryAt > now) return false;
    this.retryAt = null;
    return true;
  }
}
