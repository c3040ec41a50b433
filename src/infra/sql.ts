import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * The rows of a hand-written statement, run inside `em`'s transaction when it has one
 * (`getConnection().execute` alone would take another connection, outside it).
 */
export function execute<T>(em: EntityManager, sql: string, params: unknown[]): Promise<T[]> {
  return em.getConnection().execute<T[]>(sql, params, 'all', em.getTransactionContext());
}
