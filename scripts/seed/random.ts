import { ID_PREFIXES, type NodeTypeName } from '../../src/shared/ids';

/**
 * A small seeded PRNG (sfc32): the same seed gives the same demo, run after run, so a bug seen
 * in the seeded data can be seen again.
 */
export class Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    this.a = 0x9e3779b9;
    this.b = 0x243f6a88;
    this.c = 0xb7e15162;
    this.d = seed >>> 0;
    for (let i = 0; i < 15; i++) this.next();
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.a >>>= 0;
    this.b >>>= 0;
    this.c >>>= 0;
    this.d >>>= 0;
    const t = (this.a + this.b + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) >>> 0;
    return t / 4294967296;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  between(min: number, max: number): number {
    return min + this.next() * (max - min);
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }

  /** Picks by weight: `[[value, weight], ...]`. */
  weighted<T>(entries: readonly (readonly [T, number])[]): T {
    const total = entries.reduce((sum, [, weight]) => sum + weight, 0);
    let roll = this.next() * total;
    for (const [value, weight] of entries) {
      roll -= weight;
      if (roll < 0) return value;
    }
    return entries[entries.length - 1][0];
  }

  /** `count` distinct items, in random order. */
  sample<T>(items: readonly T[], count: number): T[] {
    const pool = [...items];
    const out: T[] = [];
    while (out.length < count && pool.length) out.push(pool.splice(Math.floor(this.next() * pool.length), 1)[0]);
    return out;
  }

  /** Minutes drawn log-uniformly between `min` and `max`: many short waits, a few long ones. */
  minutes(min: number, max: number): number {
    return Math.exp(this.between(Math.log(min), Math.log(max)));
  }
}

const CROCKFORD = '0123456789abcdefghjkmnpqrstvwxyz';

/**
 * An id shaped like `newId` makes (`tkt_` + 10 time characters + 16 random ones), with its time
 * part taken from the record's own creation time and its random part from the seeded PRNG: ids
 * stay sortable by creation and the same seed gives the same ids for the same moments.
 */
export function seededId(type: NodeTypeName, at: Date, random: Random): string {
  let time = at.getTime();
  let encoded = '';
  for (let i = 0; i < 10; i++) {
    encoded = CROCKFORD[time % 32] + encoded;
    time = Math.floor(time / 32);
  }
  for (let i = 0; i < 16; i++) encoded += CROCKFORD[Math.floor(random.next() * 32)];
  return `${ID_PREFIXES[type]}_${encoded}`;
}
