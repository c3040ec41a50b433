import { z } from 'zod';

/** Dashboard configuration, validated from the environment by `src/config.ts`. */
export interface DashboardSettings {
  /** IANA zone whose midnights bound `resolvedToday` and `dailyCounts` (`STATS_TIME_ZONE`, UTC by default). */
  timeZone: string;
  /** dashboardUpdated pushes at most once per this many milliseconds per filter and instance. */
  pushIntervalMs: number;
  /** How often the maintenance leader folds the rollups' deltas and prunes old live-chart rows; 0 runs no job. */
  maintenanceIntervalMs: number;
}

function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

export const dashboardEnvShape = {
  STATS_TIME_ZONE: z.string().refine(isTimeZone, 'must be an IANA time zone, e.g. UTC or Europe/Paris').default('UTC'),
  DASHBOARD_PUSH_INTERVAL_MS: z.coerce
    .number({ error: 'must be a number' })
    .int('must be a whole number')
    .min(50, 'must be from 50 to 60000')
    .max(60_000, 'must be from 50 to 60000')
    .default(2000),
  DASHBOARD_MAINTENANCE_SECONDS: z.coerce
    .number({ error: 'must be a number' })
    .int('must be a whole number')
    .min(0, 'must be from 0 to 3600')
    .max(3600, 'must be from 0 to 3600')
    .optional(),
};

/**
 * Maintenance every 5 s by default; under NODE_ENV=test none unless asked for, so that tests of
 * other features see only the statements they cause (reads stay exact without it).
 */
export function dashboardSettings(env: {
  NODE_ENV: string;
  STATS_TIME_ZONE: string;
  DASHBOARD_PUSH_INTERVAL_MS: number;
  DASHBOARD_MAINTENANCE_SECONDS?: number;
}): DashboardSettings {
  const maintenanceSeconds = env.DASHBOARD_MAINTENANCE_SECONDS ?? (env.NODE_ENV === 'test' ? 0 : 5);
  return { timeZone: env.STATS_TIME_ZONE, pushIntervalMs: env.DASHBOARD_PUSH_INTERVAL_MS, maintenanceIntervalMs: maintenanceSeconds * 1000 };
}
