import type { AppServices } from '../../server/context';
import { LeaderJob } from './leader-job';
import { markSlaBreaches, type BreachSweepOptions } from './sla.service';

/** The advisory lock id of the SLA breach job (see LeaderJob). */
export const SLA_JOB_LOCK_ID = 1;

/**
 * The SLA breach job: on whichever instance holds its leader lock, every interval, marks the
 * tickets that missed a target (see `markSlaBreaches`). `tick(now)` runs one round directly.
 */
export function createSlaMonitor(app: AppServices, options: { intervalMs: number; sweep?: BreachSweepOptions }): LeaderJob<string[]> {
  return new LeaderJob({
    name: 'sla-breaches',
    lockId: SLA_JOB_LOCK_ID,
    databaseUrl: String(app.orm.config.get('clientUrl')),
    intervalMs: options.intervalMs,
    logger: app.logger,
    run: async (now) => {
      const marked = await markSlaBreaches(app, now, options.sweep);
      if (marked.length) app.logger.info({ count: marked.length }, 'SLA breaches marked');
      return marked;
    },
  });
}
