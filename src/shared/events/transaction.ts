import type { EntityManager } from '@mikro-orm/postgresql';
import type { RequestContext } from '../../server/context';
import type { OutboxEvent } from './topics';

/** Events a unit of work will publish once (and only if) it commits. */
export type Outbox = OutboxEvent[];

/**
 * Runs `work` in one transaction and publishes what it queued only after the commit: a
 * subscriber never hears of a change that rolled back, and never before it is readable.
 */
export async function transactionWithEvents<T>(
  ctx: RequestContext,
  work: (em: EntityManager, outbox: Outbox) => Promise<T>,
): Promise<T> {
  const outbox: Outbox = [];
  const result = await ctx.em.transactional((em) => work(em as EntityManager, outbox));
  // Later field resolvers of this request must not see values cached before the change.
  ctx.loaders.clearAll();
  if (outbox.length) await ctx.app.events.outbox(outbox);
  return result;
}
