import { z } from 'zod';
import { parseSlaPolicy, type SlaPolicy } from './sla.policy';

/** SLA configuration, validated from the environment by `src/config.ts`. */
export interface SlaSettings {
  /** Targets per priority (and department); `SLA_POLICY`, see sla.policy.ts. */
  policy: SlaPolicy;
  /** How often the breach job looks for missed targets; 0 runs no job (tests run it directly). */
  checkIntervalMs: number;
}

export const slaEnvShape = {
  SLA_POLICY: z.string().optional(),
  SLA_CHECK_INTERVAL_SECONDS: z.coerce
    .number({ error: 'must be a number' })
    .int('must be a whole number')
    .min(0, 'must be from 0 to 3600')
    .max(3600, 'must be from 0 to 3600')
    .default(30),
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

export function slaSettings(env: { SLA_POLICY?: string; SLA_CHECK_INTERVAL_SECONDS: number }): SlaSettings {
  return { policy: parseSlaPolicy(env.SLA_POLICY), checkIntervalMs: env.SLA_CHECK_INTERVAL_SECONDS * 1000 };
}
