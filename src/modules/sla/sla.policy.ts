import { z } from 'zod';
import { TicketPriority } from '../tickets/ticket.enums';

/** How long, from a ticket's creation, the first agent reply and the resolution may take. Null: no target. */
export interface SlaTargets {
  firstResponseMs: number | null;
  resolutionMs: number | null;
}

/**
 * The SLA policy: targets per priority, optionally overridden per department. A priority mapped
 * to null has no SLA (its tickets show `NONE`).
 */
export interface SlaPolicy {
  byPriority: Record<TicketPriority, SlaTargets | null>;
  /** Keyed by lower-cased department name; a priority left out falls back to `byPriority`. */
  departments: Record<string, Partial<Record<TicketPriority, SlaTargets | null>>>;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export const DEFAULT_SLA_POLICY: SlaPolicy = {
  byPriority: {
    [TicketPriority.URGENT]: { firstResponseMs: 15 * MINUTE, resolutionMs: 4 * HOUR },
    [TicketPriority.HIGH]: { firstResponseMs: 1 * HOUR, resolutionMs: 8 * HOUR },
    [TicketPriority.NORMAL]: { firstResponseMs: 4 * HOUR, resolutionMs: 24 * HOUR },
    [TicketPriority.LOW]: { firstResponseMs: 24 * HOUR, resolutionMs: 5 * DAY },
  },
  departments: {},
};

/** No SLA at all (`SLA_POLICY=off`). */
export const NO_SLA_POLICY: SlaPolicy = {
  byPriority: { URGENT: null, HIGH: null, NORMAL: null, LOW: null },
  departments: {},
};

/** The targets that apply to a ticket of `priority` in `department`, or null when none do. */
export function targetsFor(policy: SlaPolicy, priority: TicketPriority, department: string | null | undefined): SlaTargets | null {
  const override = department ? policy.departments[department.trim().toLowerCase()] : undefined;
  if (override && priority in override) return override[priority] ?? null;
  return policy.byPriority[priority];
}

// ---------------------------------------------------------------- configuration

const UNITS: Record<string, number> = { m: MINUTE, h: HOUR, d: DAY };

/** `"15m"`, `"4h"`, `"5d"`, or a number of minutes; null for no target. */
const duration = z
  .union(
    [
      z.number().positive().transform((minutes) => minutes * MINUTE),
      z
        .string()
        .regex(/^\d+(\.\d+)?[mhd]$/)
        .transform((text) => Number(text.slice(0, -1)) * UNITS[text.slice(-1)]),
    ],
    { error: 'must be a duration such as "15m", "4h" or "5d", or a number of minutes' },
  )
  .nullable();

const targets = z
  .object({ firstResponse: duration.optional(), resolution: duration.optional() })
  .strict()
  .transform((value) => ({ firstResponseMs: value.firstResponse ?? null, resolutionMs: value.resolution ?? null }))
  .nullable();

const perPriority = z
  .object({ URGENT: targets.optional(), HIGH: targets.optional(), NORMAL: targets.optional(), LOW: targets.optional() })
  .strict();

const policyJson = perPriority.extend({ departments: z.record(z.string(), perPriority).optional() }).strict();

/**
 * Reads `SLA_POLICY`: unset keeps the defaults, `off` disables SLAs, and JSON overrides them, e.g.
 * `{"URGENT":{"firstResponse":"10m","resolution":"2h"},"LOW":null,"departments":{"vip":{"HIGH":{"firstResponse":"30m","resolution":"4h"}}}}`.
 * Priorities left out keep their default targets; a priority given replaces both of its targets (one
 * left out has none). Throws with a readable message.
 */
export function parseSlaPolicy(text: string | undefined): SlaPolicy {
  if (text === undefined || text.trim() === '') return DEFAULT_SLA_POLICY;
  if (text.trim().toLowerCase() === 'off') return NO_SLA_POLICY;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error('SLA_POLICY must be "off" or JSON');
  }
  const parsed = policyJson.safeParse(json);
  if (!parsed.success) {
    throw new Error(parsed.error.issues.map((issue) => `${issue.path.join('.') || '(policy)'}: ${issue.message}`).join('; '));
  }
  const { departments = {}, ...own } = parsed.data;
  const cleanPriorities = (value: Partial<Record<TicketPriority, SlaTargets | null | undefined>>) =>
    Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as Partial<Record<TicketPriority, SlaTargets | null>>;
  return {
    byPriority: { ...DEFAULT_SLA_POLICY.byPriority, ...cleanPriorities(own) },
    departments: Object.fromEntries(Object.entries(departments).map(([name, value]) => [name.trim().toLowerCase(), cleanPriorities(value)])),
  };
}
