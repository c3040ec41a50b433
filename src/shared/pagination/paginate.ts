import { Cursor, raw, type EntityClass, type EntityName, type FilterQuery, type FindByCursorOptions, type QueryOrderMap } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { badInput } from '../errors';
import { readOnlyColumns, readOnlyFromRow, readOnlyProperties } from '../read-only-entities';
import { DEFAULT_PAGE_SIZE, lazy, withLazyEdges, type ConnectionArgs, type ConnectionShape } from './connection';

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

/** The part of MikroORM's DatabaseDriver that turns cursor options into keyset conditions and order. */
interface KeysetDriver {
  processCursorOptions(meta: unknown, options: unknown, orderBy: unknown): { where: unknown; orderBy: unknown };
}

interface PageRequest<T extends object> {
  options: FindByCursorOptions<T, never, never, never>;
  filter: () => FilterQuery<T>;
}

function pageRequest<T extends object>(
  where: FilterQuery<T> | (() => FilterQuery<T>),
  args: ConnectionArgs,
  orderBy: QueryOrderMap<T>[],
): PageRequest<T> {
  checkConnectionArgs(args, orderBy.reduce<number>((n, entry) => n + Object.keys(entry).length, 0));
  const backwards = args.last != null || (args.before != null && args.first == null);
  const size = (backwards ? args.last : args.first) ?? DEFAULT_PAGE_SIZE;
  return {
    options: {
      ...(backwards ? { last: size, before: args.before ?? undefined } : { first: size, after: args.after ?? undefined }),
      orderBy: orderBy as never,
      includeCount: false,
    } as unknown as FindByCursorOptions<T, never, never, never>,
    filter: () => (typeof where === 'function' ? (where as () => FilterQuery<T>)() : where),
  };
}

function connectionOf<T extends object>(em: EntityManager, entity: EntityName<T>, page: Cursor<T>, filter: () => FilterQuery<T>): ConnectionShape<T> {
  const items = [...page.items] as T[];
  return withLazyEdges<T>({
    nodes: items,
    pageInfo: {
      hasNextPage: page.hasNextPage,
      hasPreviousPage: page.hasPrevPage,
      startCursor: items.length ? page.startCursor : null,
      endCursor: items.length ? page.endCursor : null,
    },
    totalCount: lazy(() => em.fork().count(entity, filter())),
  }, (node) => page.from(node as never));
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
  const { options, filter } = pageRequest(where, args, orderBy);
  const page = await em.findByCursor(entity, filter(), options as never);
  return connectionOf(em, entity, page as Cursor<T>, filter);
}

/**
 * A to-one relation read with each row of a read-only page (left joined, so a page's rows and order
 * do not change). `path` starts from the page's own entity ('customer') or from an earlier join's
 * alias ('pa.user'); `joinedValue` reads the joined value back from a row.
 */
export interface PageJoin {
  path: string;
  alias: string;
  entity: EntityClass<object>;
}

const joinPrefix = (join: PageJoin) => `${join.alias}_`;

/** The joined entity's read-only value in a page row (null where the left join found nothing). */
export function joinedValue<T extends object>(em: EntityManager, join: PageJoin & { entity: EntityClass<T> }, row: Record<string, unknown>): T | null {
  return readOnlyFromRow(em, join.entity, row, joinPrefix(join));
}

export interface ReadOnlyPageOptions {
  joins?: readonly PageJoin[];
  /** Called with each raw row (the one fetched past the page to tell whether there is a next included), with its joins' columns. */
  eachRow?: (row: Record<string, unknown>) => void;
}

/**
 * `paginate` for lists that GraphQL only reads: the same filter, order, cursor conditions and
 * cursors (MikroORM's own, through its driver and Cursor), but the page holds read-only values built
 * from its rows (read-only-entities) instead of managed entities, which cost the ticket list about
 * 60 µs per row. Nothing may change or persist an item of such a page.
 */
export async function paginateReadOnly<T extends object>(
  em: EntityManager,
  entity: EntityClass<T>,
  where: FilterQuery<T> | (() => FilterQuery<T>),
  args: ConnectionArgs,
  orderBy: QueryOrderMap<T>[],
  { joins = [], eachRow }: ReadOnlyPageOptions = {},
): Promise<ConnectionShape<T>> {
  const { options, filter } = pageRequest(where, args, orderBy);
  const meta = em.getMetadata().get<T>(entity.name);
  const cursorOptions = { ...options, overfetch: true } as FindByCursorOptions<T, never, never, never> & { limit?: number };
  // What em.findByCursor has its driver do: keyset conditions and order (reversed for `last`), one extra row.
  // (processCursorOptions is protected in MikroORM 6's types; the pagination tests cover both directions.)
  const keyset = (em.getDriver() as unknown as KeysetDriver).processCursorOptions(meta, cursorOptions, orderBy);
  const query = em.createQueryBuilder(entity).select(readOnlyProperties(em, entity as EntityClass<object>) as never);
  for (const join of joins) {
    query.leftJoin(join.path as never, join.alias).addSelect(raw(readOnlyColumns(em, join.entity, join.alias, joinPrefix(join))) as never);
  }
  const rows = (await query
    .where(filter())
    .andWhere(keyset.where as never)
    .orderBy(keyset.orderBy as never)
    .limit(cursorOptions.limit)
    .execute('all', false)) as Record<string, unknown>[];
  if (cursorOptions.last != null && cursorOptions.first == null) rows.reverse();
  if (eachRow) for (const row of rows) eachRow(row);
  const items = rows.map((row) => readOnlyFromRow(em, entity, row, '') as T);
  return connectionOf(em, entity, new Cursor(items as never[], undefined as never, cursorOptions as never, meta), filter);
}
