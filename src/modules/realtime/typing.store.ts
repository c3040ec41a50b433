import type Redis from 'ioredis';

/**
 * Who is typing where, shared by every instance. Each refresh stores a fresh token; the instance
 * whose token is still there when its timer fires is the one that announces the stop, so a user
 * whose refreshes land on different instances stops typing exactly once, 5 s after the last one.
 */
export interface TypingStore {
  /** Stores `token` for (ticket, user); true when the user was not typing before (a transition). */
  start(ticketId: string, userId: string, token: string): Promise<boolean>;
  /** Clears the state if `token` is still the latest refresh; true when it did. */
  expire(ticketId: string, userId: string, token: string): Promise<boolean>;
  /** Clears the state whatever the token; true when there was one (only one caller gets true). */
  stop(ticketId: string, userId: string): Promise<boolean>;
}

const COMPARE_AND_DELETE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

export class RedisTypingStore implements TypingStore {
  /** The key outlives the timeout by a margin: it only collects the garbage of a crashed instance. */
  constructor(
    private readonly redis: Redis,
    private readonly keyTtlMs: number,
  ) {}

  private key(ticketId: string, userId: string): string {
    return `parley:typing:${ticketId}:${userId}`;
  }

  async start(ticketId: string, userId: string, token: string): Promise<boolean> {
    const previous = await this.redis.set(this.key(ticketId, userId), token, 'PX', this.keyTtlMs, 'GET');
    return previous === null;
  }

  async expire(ticketId: string, userId: string, token: string): Promise<boolean> {
    return Number(await this.redis.eval(COMPARE_AND_DELETE, 1, this.key(ticketId, userId), token)) === 1;
  }

  async stop(ticketId: string, userId: string): Promise<boolean> {
    return (await this.redis.del(this.key(ticketId, userId))) === 1;
  }
}

export class MemoryTypingStore implements TypingStore {
  private readonly tokens = new Map<string, string>();

  async start(ticketId: string, userId: string, token: string): Promise<boolean> {
    const key = `${ticketId}:${userId}`;
    const fresh = !this.tokens.has(key);
    this.tokens.set(key, token);
    return fresh;
  }

  async expire(ticketId: string, userId: string, token: string): Promise<boolean> {
    const key = `${ticketId}:${userId}`;
    if (this.tokens.get(key) !== token) return false;
    this.tokens.delete(key);
    return true;
  }

  async stop(ticketId: string, userId: string): Promise<boolean> {
    return this.tokens.delete(`${ticketId}:${userId}`);
  }
}
