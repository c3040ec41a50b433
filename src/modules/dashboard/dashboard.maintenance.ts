import type { EntityManager } from '@mikro-orm/postgresql';
import type { AppServices } from '../../server/context';
import { LeaderJob } from '../sla';
import { foldTicketStats, pruneParticipants } from './dashboard.queries';
import { MAX_CHART_HOURS } from './dashboard.service';
import { floorHour, HOUR_MS } from './stats-range';

/** The advisory lock id of the dashboard's maintenance job (see LeaderJob). */
export const DASHBOARD_JOB_LOCK_ID = 2;

export interface MaintenanceResult {
  /** Deltas moved into the rollups. */
  folded: number;
  /** Live-chart participants older than the longest chart, dropped. */
  pruned: number;
}

/**
 * One round of upkeep: folds the triggers' deltas into the hourly rollups (reads stay exact
 * without it, only cheaper with it), and drops live-chart rows no chart will ask for again.
 */
export async function maintainDashboard(em: EntityManager, now: Date): Promise<MaintenanceResult> {
  const folded = await foldTicketStats(em);
  const pruned = await pruneParticipants(em, new Date(floorHour(now).getTime() - (MAX_CHART_HOURS + 24) * HOUR_MS));
  return { folded, pruned };
}

/** The maintenance job on whichever instance holds its lock; `tick(now)` runs one round directly. */
export function createDashboardMaintenance(app: AppServices, intervalMs: number): LeaderJob<MaintenanceResult> {
  return new LeaderJob({
    name: 'dashboard-maintenance',
    lockId: DASHBOARD_JOB_LOCK_ID,
    databaseUrl: String(app.orm.config.get('clientUrl')),
    intervalMs,
    logger: app.logger,
    run: (now) => maintainDashboard(app.orm.em.fork() as EntityManager, now),
  });
}
