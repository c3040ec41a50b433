import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * The rows of a hand-written statement, run inside `em`'s transaction when it has one
 * (`getConnection().execute` alone would take another connection, outside it).
 */
export function execute<T>(em: EntityManager, sql: string, params: unknown[]): Promise<T[]> {
  return em.getConnection().execute<T[]>(sql, params, 'all', em.getTransactionContext());
}

/**
 * The rows of a hand-written statement outside any transaction, its values sent as bind
 * parameters (knex's raw) instead of written into the text as MikroORM's `execute` does: MikroORM
 * quotes each value character by character, which for the real-time reads (arrays of hundreds of
 * ids) allocated more than the rest of the statement's work.
 */
export async function selectBound<T>(em: EntityManager, sql: string, params: readonly (string | number | boolean)[]): Promise<T[]> {
  const result = (await em.getKnex().raw(sql, [...params])) as { rows: T[] };
  return result.rows;
}

/**
 * A PostgreSQL array literal, one bind parameter for a whole list (`= any(?::text[])`): knex would
 * expand a JS array into one placeholder per value, and rewrites every placeholder of the text in
 * turn. Strings are quoted, so any text is safe in it.
 */
export const arrayLiteral = (values: readonly (string | number | boolean)[]): string =>
  `{${values.map(arrayElement).join(',')}}`;

function arrayElement(value: string | number | boolean): string {
  if (typeof value === 'boolean') return value ? 't' : 'f';
  if (typeof value === 'number') return String(value);
  return `"${value.replace(/["\\]/g, '\\$&')}"`;
}
