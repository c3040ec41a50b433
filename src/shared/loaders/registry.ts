import type DataLoader from 'dataloader';
import type { RequestContext } from '../../server/context';

/** Builds one DataLoader for one request. Modules define these next to their entities. */
export type LoaderFactory<K, V, C = K> = (ctx: RequestContext) => DataLoader<K, V, C>;

/**
 * The request's loaders, created on first use and keyed by factory, so a module adds a loader
 * without touching a central list, and every list resolver in one request shares its batches.
 */
export class Loaders {
  private readonly instances = new Map<LoaderFactory<unknown, unknown, unknown>, DataLoader<unknown, unknown, unknown>>();

  constructor(private readonly ctx: RequestContext) {}

  get<K, V, C = K>(factory: LoaderFactory<K, V, C>): DataLoader<K, V, C> {
    let loader = this.instances.get(factory as LoaderFactory<unknown, unknown, unknown>);
    if (!loader) {
      loader = factory(this.ctx) as DataLoader<unknown, unknown, unknown>;
      this.instances.set(factory as LoaderFactory<unknown, unknown, unknown>, loader);
    }
    return loader as DataLoader<K, V, C>;
  }

  /** Forget cached values after a write, so fields resolved later in a mutation see fresh data. */
  clearAll(): void {
    for (const loader of this.instances.values()) loader.clearAll();
  }
}

/** Orders `rows` to match `keys` (DataLoader's contract), with `fallback` where a key has no row. */
export function byKeys<K, V, R>(keys: readonly K[], rows: R[], keyOf: (row: R) => K, valueOf: (row: R) => V, fallback: V): V[] {
  const map = new Map<K, V>();
  for (const row of rows) map.set(keyOf(row), valueOf(row));
  return keys.map((key) => (map.has(key) ? (map.get(key) as V) : fallback));
}

/** Groups `rows` by key, in `keys` order, each group in the rows' order. */
export function groupByKeys<K, R>(keys: readonly K[], rows: R[], keyOf: (row: R) => K): R[][] {
  const map = new Map<K, R[]>();
  for (const row of rows) {
    const key = keyOf(row);
    const group = map.get(key);
    if (group) group.push(row);
    else map.set(key, [row]);
  }
  return keys.map((key) => map.get(key) ?? []);
}
