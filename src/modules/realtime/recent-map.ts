/**
 * A map that forgets entries between `ttlMs` and twice that after they were set: two generations,
 * the older dropped whole, with no sweep and no timer. For what the real-time layer shares among
 * the subscribers of one event (pages, results, their JSON): they ask within milliseconds of each
 * other, and at fan-out rates anything kept longer outlives young-generation collections. The
 * shared results were WeakMaps keyed by each value before; their ephemeron tables grew and were
 * rebuilt in the old generation, and kept what they held alive through those collections.
 */
export class RecentMap<K, V> {
  private current = new Map<K, V>();
  private previous = new Map<K, V>();
  private rotatedAt = Date.now();

  constructor(private readonly ttlMs: number) {}

  get(key: K): V | undefined {
    this.rotate();
    return this.current.get(key) ?? this.previous.get(key);
  }

  set(key: K, value: V): void {
    this.rotate();
    this.current.set(key, value);
  }

  delete(key: K): void {
    this.current.delete(key);
    this.previous.delete(key);
  }

  private rotate(): void {
    const now = Date.now();
    if (now - this.rotatedAt < this.ttlMs) return;
    // Idle for two periods or more: nothing left is recent.
    this.previous = now - this.rotatedAt < 2 * this.ttlMs ? this.current : new Map();
    this.current = new Map();
    this.rotatedAt = now;
  }
}
