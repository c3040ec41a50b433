import { Cursor, type EntityName, type FilterQuery, type QueryOrderMap } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { badInput } from '../errors';
import { DEFAULT_PAGE_SIZE, lazy, type ConnectionArgs, type ConnectionShape } from './connection';

/** Relay leaves `first` with `last` undefined: refuse it rather than guess. */
export function checkRelayArgs(args: ConnectionArgs): void {
  if (args.first != null && args.last != null) throw badInput('first', 'Pass either first or last, not both.');
}

/** Throws BAD_USER_INPUT for argument combinations Relay leaves undefined or cursors that do not fit this list. */
export function checkConnectionArgs(args: ConnectionArgs, orderKeys: number): void {
  checkRelayArgs(args);
  for (const field of ['after', 'before'] as const) {
    const value = args[field];
    if (value == null) continue;
    let decoded: unknown;
    try {
      decoded = Cursor.decode(value);
    } catch {
      throw badInput(field, `${field} is not a valid cursor.`);
    }
    if (!Array.isArray(decoded) || decoded.length !== orderKeys) throw badInput(field, `${field} is not a cursor of this list and order.`);
  }
}

/**
 * Keyset pagination over an entity with MikroORM's cursor support. `orderBy` must end with a
 * unique key (the id) so the order is total and cursors are stable.
 */
export async function paginate<T extends object>(
  em: EntityManager,
  entity: EntityName<T>,
  /** A function when the filter holds raw() fragments: each query needs fresh ones. */
  where: FilterQuery<T> | (() => FilterQuery<T>),
  args: ConnectionArgs,
  orderBy: QueryOrderMap<T>[],
): Promise<ConnectionShape<T>> {
  checkConnectionArgs(args, orderBy.reduce<number>((n, entry) => n + Object.keys(entry).length, 0));
  const backwards = args.last != null || (args.before != null && args.first == null);
  const size = (backwards ? args.last : args.first) ?? DEFAULT_PAGE_SIZE;
  const filter = () => (typeof where === 'function' ? (where as () => FilterQuery<T>)() : where);
  const page = await em.findByCursor(entity, filter(), {
    ...(backwards ? { last: size, before: args.before ?? undefined } : { first: size, after: args.after ?? undefined }),
    orderBy: orderBy as never,
    includeCount: false,
  } as never);
  const items = [...page.items] as T[];
  return {
    edges: items.map((node) => ({ cursor: page.from(node as never), node })),
    nodes: items,
    pageInfo: {
      hasNextPage: page.hasNextPage,
      hasPreviousPage: page.hasPrevPage,
      startCursor: items.length ? page.startCursor : null,
      endCursor: items.length ? page.endCursor : null,
    },
    totalCount: lazy(() => em.fork().count(entity, filter())),
  };
}
