import { createHash } from 'node:crypto';
import Redis from 'ioredis';
import type { Logger } from 'pino';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { AppError } from '../../shared/errors';
import type { Rate, SecuritySettings } from './settings';

/** RATE_LIMITED, with the seconds to wait in `extensions.retryAfter` (HTTP adds Retry-After and 429). */
export class RateLimitedError extends AppError {
  constructor(
    readonly retryAfter: number,
    message = `Too many requests; try again in ${retryAfter} s.`,
  ) {
    super('RATE_LIMITED', message, { retryAfter });
  }
}

const secondsFrom = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

/** Keys carry no e-mail addresses: a hash is enough to count by. */
const digest = (value: string) => createHash('sha256').update(value).digest('base64url').slice(0, 22);

type Limiter = RateLimiterAbstract;

/** What a login attempt is counted by. */
export interface LoginAttemptKey {
  email: string;
  ip: string;
}

/**
 * Parley's rate limits, in Redis when REDIS_URL is set (so every instance counts together), with an
 * in-memory limiter as insurance while Redis is down: limits keep holding, per instance, instead of
 * failing open or failing every request. The Redis connection is its own and never queues a
 * command while disconnected, so an outage costs a request no waiting.
 */
export class RateLimits {
  readonly requestsPerIp: Limiter;
  readonly costPerIp: Limiter;
  readonly costPerUser: Limiter;
  readonly signUpsPerIp: Limiter;
  readonly wsConnectionsPerIp: Limiter;
  readonly sendMessagePerUser: Limiter;
  readonly setTypingPerUser: Limiter;
  /** Per socket, so per instance: in memory. */
  readonly operationsPerSocket: Limiter;
  private readonly loginPairs: Limiter;
  private readonly loginAccounts: Limiter;
  private readonly loginIps: Limiter;
  /** How many times a pair was blocked lately: each block lasts twice the one before. */
  private readonly loginBlocks: Limiter;
  private readonly redis: Redis | null;

  constructor(
    private readonly settings: SecuritySettings['rateLimits'],
    redisUrl: string | undefined,
    private readonly logger: Logger,
  ) {
    this.redis = redisUrl
      ? new Redis(redisUrl, {
          connectionName: 'parley-rate-limits',
          // Commands issued in one turn of the event loop (a request's two cost budgets, concurrent
          // requests' limits) go out in one write: on a busy machine each write to Redis costs more
          // than the script it runs.
          enableAutoPipelining: true,
          enableOfflineQueue: false,
          maxRetriesPerRequest: 0,
          commandTimeout: 500,
          retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
        })
      : null;
    this.redis?.on('error', (error) => logger.debug({ err: error }, 'rate-limit redis unavailable; in-memory limits apply'));
    const s = settings;
    this.requestsPerIp = this.limiter('req-ip', s.requestsPerIp);
    this.costPerIp = this.limiter('cost-ip', s.costPerIp);
    this.costPerUser = this.limiter('cost-user', s.costPerUser);
    this.signUpsPerIp = this.limiter('signup-ip', s.signUpsPerIp);
    this.wsConnectionsPerIp = this.limiter('ws-ip', s.wsConnectionsPerIp);
    this.sendMessagePerUser = this.limiter('send-user', s.sendMessagePerUser);
    this.setTypingPerUser = this.limiter('typing-user', s.setTypingPerUser);
    this.operationsPerSocket = new RateLimiterMemory(this.options('ops-socket', s.operationsPerSocket));
    this.loginPairs = this.limiter('login-pair', s.loginFailuresPerAccountAndIp);
    this.loginAccounts = this.limiter('login-account', s.loginFailuresPerAccount);
    this.loginIps = this.limiter('login-ip', s.loginFailuresPerIp);
    this.loginBlocks = this.limiter('login-blocks', { points: 1_000_000, seconds: 86_400 });
  }

  /** Spends `points` of `key`'s budget, or throws RATE_LIMITED with the wait. */
  async consume(limiter: Limiter, key: string, points = 1): Promise<void> {
    try {
      await limiter.consume(key, points);
    } catch (result) {
      if (result instanceof RateLimiterRes) throw new RateLimitedError(secondsFrom(result.msBeforeNext));
      // Both the store and the insurance failed: let the request through rather than fail it.
      this.logger.warn({ err: result, limiter: limiter.keyPrefix }, 'rate limiter failed; request allowed');
    }
  }

  /**
   * Before checking a password: RATE_LIMITED while the account is blocked for this IP (too many
   * consecutive failures, with backoff), the account is under attack from many IPs, or the IP has
   * failed too often over all accounts. Nothing else is blocked: guessing one account from an IP
   * leaves the owner (another IP) and the IP's other accounts alone.
   */
  async assertLoginAllowed({ email, ip }: LoginAttemptKey): Promise<void> {
    const checks: [Limiter, string][] = [
      [this.loginPairs, this.pairKey(email, ip)],
      [this.loginAccounts, digest(email)],
      [this.loginIps, ip],
    ];
    const waits = await Promise.all(
      checks.map(async ([limiter, key]) => {
        const result = await limiter.get(key).catch(() => null);
        return result && result.consumedPoints >= limiter.points ? result.msBeforeNext : 0;
      }),
    );
    const wait = Math.max(...waits);
    if (wait > 0) throw new RateLimitedError(secondsFrom(wait), `Too many failed sign-in attempts; try again in ${secondsFrom(wait)} s.`);
  }

  /** Counts a failed login; the failure that reaches the pair's limit blocks it, each block twice as long. */
  async loginFailed({ email, ip }: LoginAttemptKey): Promise<void> {
    const pair = this.pairKey(email, ip);
    const spend = (limiter: Limiter, key: string) => limiter.consume(key).catch((result: unknown) => (result instanceof RateLimiterRes ? result : null));
    const [pairResult] = await Promise.all([spend(this.loginPairs, pair), spend(this.loginAccounts, digest(email)), spend(this.loginIps, ip)]);
    if (!pairResult || pairResult.consumedPoints < this.loginPairs.points) return;
    const blocks = await spend(this.loginBlocks, pair);
    const exponent = Math.min(Math.max(0, (blocks?.consumedPoints ?? 1) - 1), 30);
    const seconds = Math.min(this.settings.loginBackoffBaseSeconds * 2 ** exponent, this.settings.loginBackoffMaxSeconds);
    await this.loginPairs.block(pair, seconds).catch((error: unknown) => this.logger.warn({ err: error }, 'could not block a login pair'));
  }

  /** A successful login clears the pair's consecutive failures and its backoff. */
  async loginSucceeded({ email, ip }: LoginAttemptKey): Promise<void> {
    const pair = this.pairKey(email, ip);
    await Promise.all([this.loginPairs.delete(pair).catch(() => false), this.loginBlocks.delete(pair).catch(() => false)]);
  }

  async close(): Promise<void> {
    if (!this.redis) return;
    if (this.redis.status === 'ready') await this.redis.quit().catch(() => undefined);
    this.redis.disconnect();
  }

  private pairKey(email: string, ip: string): string {
    return `${digest(email)}:${ip}`;
  }

  private options(name: string, rate: Rate) {
    return { keyPrefix: `${this.settings.keyPrefix}:${name}`, points: rate.points, duration: rate.seconds };
  }

  private limiter(name: string, rate: Rate): Limiter {
    const insurance = new RateLimiterMemory(this.options(name, rate));
    if (!this.redis) return insurance;
    return new RateLimiterRedis({ ...this.options(name, rate), storeClient: this.redis, rejectIfRedisNotReady: true, insuranceLimiter: insurance });
  }
}
