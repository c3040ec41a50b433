import { z } from 'zod';
import { parseSlaPolicy, type SlaPolicy } from './sla.policy';

/** SLA configuration, validated from the environment by `src/config.ts`. */
export interface SlaSettings {
  /** Targets per priority (and department); `SLA_POLICY`, see sla.policy.ts. */
  policy: SlaPolicy;
  /** How often the breach job looks for missed targets; 0 runs no job. */
  checkIntervalMs: number;
}

export const slaEnvShape = {
  SLA_POLICY: z.string().optional(),
  SLA_CHECK_INTERVAL_SECONDS: z.coerce
    .number({ error: 'must be a number' })
    .int('must be a whole number')
    .min(0, 'must be from 0 to 3600')
    .max(3600, 'must be from 0 to 3600')
    .optional(),
};

/** Problems `slaSettings` would throw on, as config issues (one run names every bad variable). */
export function slaProblems(env: { SLA_POLICY?: string }): { path: string; message: string }[] {
  try {
    parseSlaPolicy(env.SLA_POLICY);
    return [];
  } catch (error) {
    return [{ path: 'SLA_POLICY', message: (error as Error).message }];
  }
}

/**
 * 30 s by default; under NODE_ENV=test no job runs unless asked for, so that tests of other features
 * see only the statements and events they cause (the SLA tests run the job directly).
 */
export function slaSettings(env: { NODE_ENV: string; SLA_POLICY?: string; SLA_CHECK_INTERVAL_SECONDS?: number }): SlaSettings {
  const seconds = env.SLA_CHECK_INTERVAL_SECONDS ?? (env.NODE_ENV === 'test' ? 0 : 30);
  return { policy: parseSlaPolicy(env.SLA_POLICY), checkIntervalMs: seconds * 1000 };
}
