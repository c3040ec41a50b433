import type { AppServices } from '../../server/context';
import { createDashboardMaintenance } from './dashboard.maintenance';
import { DashboardResolver } from './dashboard.resolver';
import { DashboardUpdatedSubscription } from './subscriptions/dashboard-updated.subscription';

export { dashboardFeedStats } from './dashboard.live';
export { createDashboardMaintenance, maintainDashboard } from './dashboard.maintenance';
export { foldTicketStats } from './dashboard.queries';

export const dashboardResolvers = [DashboardResolver, DashboardUpdatedSubscription];

/** At app start: the maintenance job (rollup folding, chart hours), unless its interval is 0. Returns its stop. */
export function startDashboard(app: AppServices): { stop(): Promise<void> } {
  if (app.config.dashboard.maintenanceIntervalMs <= 0) return { stop: async () => undefined };
  const job = createDashboardMaintenance(app, app.config.dashboard.maintenanceIntervalMs);
  job.start();
  return { stop: () => job.stop() };
}
