import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { RequestContext } from '../../server/context';

/** Runs `work` in one transaction, then drops the request's cached loads so later fields see the change. */
export async function kbTransaction<T>(ctx: RequestContext, work: (em: EntityManager) => Promise<T>): Promise<T> {
  const result = await ctx.em.transactional((em) => work(em as EntityManager));
  ctx.loaders.clearAll();
  return result;
}

/**
 * A unique violation, whether MikroORM translated it (raised by a statement) or not (raised by a
 * deferred constraint at COMMIT, which reaches us as the driver's error).
 */
export function isUniqueViolation(error: unknown): boolean {
  return error instanceof UniqueConstraintViolationException || (error as { code?: unknown } | null)?.code === '23505';
}

/** The constraint a unique violation names, when the driver says. */
export function violatedConstraint(error: unknown): string | undefined {
  const cause = error as { constraint?: string; previous?: { constraint?: string } } | null;
  return cause?.constraint ?? cause?.previous?.constraint;
}
