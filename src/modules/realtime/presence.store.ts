import type Redis from 'ioredis';

/** One viewer of one ticket on one instance: a user may have the ticket open on several devices. */
export interface PresenceEntry {
  ticketId: string;
  userId: string;
  /** Unique across instances: `<userId>|<instanceId>|<n>`. */
  member: string;
}

/**
 * Who has which ticket open, shared by every instance. Entries carry the time their instance last
 * vouched for them, so entries of a crashed instance age out instead of haunting the list.
 */
export interface PresenceStore {
  add(entry: PresenceEntry, now: number): Promise<void>;
  remove(entry: PresenceEntry): Promise<void>;
  /** Distinct user ids with a live entry on the ticket. */
  viewers(ticketId: string, now: number): Promise<string[]>;
  /** Re-vouches for `entries` and drops stale ones; returns the tickets whose list lost someone. */
  refresh(entries: PresenceEntry[], now: number): Promise<string[]>;
  /** Entries this store holds for a ticket, stale ones included (leak checks). */
  size(ticketId: string): Promise<number>;
}

const userOf = (member: string) => member.slice(0, member.indexOf('|'));
const unique = (ids: string[]) => [...new Set(ids)];

/**
 * Redis: one sorted set per ticket, member = entry, score = last heartbeat (ms). The key expires
 * when no instance refreshes it, so a crash of every instance leaves nothing behind either.
 */
export class RedisPresenceStore implements PresenceStore {
  constructor(
    private readonly redis: Redis,
    private readonly ttlMs: number,
  ) {}

  private key(ticketId: string): string {
    return `parley:presence:${ticketId}`;
  }

  async add(entry: PresenceEntry, now: number): Promise<void> {
    const key = this.key(entry.ticketId);
    await this.redis.multi().zadd(key, now, entry.member).pexpire(key, this.ttlMs * 2).exec();
  }

  async remove(entry: PresenceEntry): Promise<void> {
    await this.redis.zrem(this.key(entry.ticketId), entry.member);
  }

  async viewers(ticketId: string, now: number): Promise<string[]> {
    const members = await this.redis.zrangebyscore(this.key(ticketId), now - this.ttlMs, '+inf');
    return unique(members.map(userOf));
  }

  async refresh(entries: PresenceEntry[], now: number): Promise<string[]> {
    const tickets = unique(entries.map((entry) => entry.ticketId));
    if (tickets.length === 0) return [];
    const batch = this.redis.multi();
    for (const entry of entries) batch.zadd(this.key(entry.ticketId), now, entry.member);
    for (const ticketId of tickets) {
      batch.zremrangebyscore(this.key(ticketId), '-inf', `(${now - this.ttlMs}`);
      batch.pexpire(this.key(ticketId), this.ttlMs * 2);
    }
    const results = (await batch.exec()) ?? [];
    const removed = results.slice(entries.length).filter((_, index) => index % 2 === 0);
    return tickets.filter((_, index) => Number(removed[index]?.[1] ?? 0) > 0);
  }

  size(ticketId: string): Promise<number> {
    return this.redis.zcard(this.key(ticketId));
  }
}

/** One process: its own entries are all there is, and a crash takes them along. */
export class MemoryPresenceStore implements PresenceStore {
  private readonly tickets = new Map<string, Set<string>>();

  async add(entry: PresenceEntry): Promise<void> {
    let members = this.tickets.get(entry.ticketId);
    if (!members) this.tickets.set(entry.ticketId, (members = new Set()));
    members.add(entry.member);
  }

  async remove(entry: PresenceEntry): Promise<void> {
    const members = this.tickets.get(entry.ticketId);
    members?.delete(entry.member);
    if (members?.size === 0) this.tickets.delete(entry.ticketId);
  }

  async viewers(ticketId: string): Promise<string[]> {
    return unique([...(this.tickets.get(ticketId) ?? [])].map(userOf));
  }

  async refresh(): Promise<string[]> {
    return [];
  }

  async size(ticketId: string): Promise<number> {
    return this.tickets.get(ticketId)?.size ?? 0;
  }
}
