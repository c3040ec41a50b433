import { z } from 'zod';

/** `points` per `seconds`: what one key (an IP, a user, a socket...) may spend in a window. */
export interface Rate {
  points: number;
  seconds: number;
}

/** Abuse limits, validated from the environment by `src/config.ts`. */
export interface SecuritySettings {
  query: {
    maxDepth: number;
    maxAliases: number;
    maxDirectives: number;
    /** Lexer tokens per document; parsing stops beyond it. */
    maxTokens: number;
    /** Estimated cost of one operation (see query-cost.ts). */
    maxCost: number;
  };
  /** `admins`: introspection for admins only (the explorer signs in); `everyone`: for all. */
  introspection: 'admins' | 'everyone';
  /** "Did you mean ...?" in validation errors; they map the schema for whoever guesses. */
  fieldSuggestions: boolean;
  maxBodyBytes: number;
  /** Origins allowed to call the API from a browser; empty: same-origin only. */
  corsOrigins: string[];
  /** Which proxies' X-Forwarded-For to believe (proxy-addr syntax); false: none. */
  trustProxy: boolean | number | string[];
  /** graphql-ws closes a socket without connection_init after this long (4408). */
  wsConnectionInitTimeoutMs: number;
  rateLimits: {
    /** Redis keys start with it, so deployments (or test runs) sharing a Redis do not mix counters. */
    keyPrefix: string;
    requestsPerIp: Rate;
    costPerIp: Rate;
    costPerUser: Rate;
    /** Failed logins of one account from one IP before it is blocked (with backoff). */
    loginFailuresPerAccountAndIp: Rate;
    /** Failed logins of one account from anywhere (distributed guessing). */
    loginFailuresPerAccount: Rate;
    /** Failed logins from one IP over all accounts (credential stuffing). */
    loginFailuresPerIp: Rate;
    /** First block after too many failures; each further block doubles it, up to the max. */
    loginBackoffBaseSeconds: number;
    loginBackoffMaxSeconds: number;
    /** Sign-ups and guest sessions: new accounts per IP. */
    signUpsPerIp: Rate;
    wsConnectionsPerIp: Rate;
    /** Operations started on one socket (subscriptions, queries, mutations). */
    operationsPerSocket: Rate;
    sendMessagePerUser: Rate;
    setTypingPerUser: Rate;
  };
}

type Env = 'development' | 'production' | 'test';

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** `5m`, `90s`, `1h`, `2d` or plain seconds. */
const duration = z
  .string()
  .regex(/^\d+\s*[smhd]?$/, 'expected a duration such as 30s, 15m, 1h or 1d')
  .transform((value) => {
    const match = /^(\d+)\s*([smhd]?)$/.exec(value)!;
    return Number(match[1]) * UNIT_SECONDS[match[2] || 's'];
  })
  .refine((seconds) => seconds >= 1, 'must be at least 1 second');

/** `30/10s`: 30 points per 10 seconds. */
const rate = z
  .string()
  .regex(/^\d+\s*\/\s*\d*\s*[smhd]?$/, 'expected points/duration such as 30/10s, 600/1m or 5/15m')
  .transform((value): Rate => {
    const [points, window] = value.split('/').map((part) => part.trim());
    const match = /^(\d*)\s*([smhd]?)$/.exec(window)!;
    return { points: Number(points), seconds: Number(match[1] || 1) * UNIT_SECONDS[match[2] || 's'] };
  })
  .refine((value) => value.points >= 1 && value.seconds >= 1, 'points and duration must be at least 1');

const positiveInt = (max = Number.MAX_SAFE_INTEGER) =>
  z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(1, 'must be at least 1').max(max, `must be at most ${max}`);
const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'must be one of true, false, 1, 0, yes, no' })
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

/** Variables of `src/config.ts`' schema; every one is optional and has a default below. */
export const securityEnvShape = {
  QUERY_MAX_DEPTH: positiveInt(100).optional(),
  QUERY_MAX_ALIASES: positiveInt(1000).optional(),
  QUERY_MAX_DIRECTIVES: positiveInt(1000).optional(),
  QUERY_MAX_TOKENS: positiveInt(100_000).optional(),
  QUERY_MAX_COST: positiveInt().optional(),
  INTROSPECTION: z.enum(['admins', 'everyone'], { error: 'must be admins or everyone' }).optional(),
  FIELD_SUGGESTIONS: bool.optional(),
  MAX_BODY_BYTES: positiveInt(10 * 1024 * 1024).optional(),
  CORS_ORIGINS: z
    .string()
    .transform((value) => value.split(',').map((origin) => origin.trim()).filter(Boolean))
    .refine((origins) => origins.every((origin) => /^https?:\/\/[^/\s]+$/.test(origin)), 'a comma-separated list of origins such as https://app.example.com')
    .optional(),
  TRUST_PROXY: z
    .string()
    .transform((value): boolean | number | string[] => {
      if (/^(true|false)$/.test(value)) return value === 'true';
      if (/^\d+$/.test(value)) return Number(value);
      return value.split(',').map((entry) => entry.trim()).filter(Boolean);
    })
    .optional(),
  WS_CONNECTION_INIT_TIMEOUT_MS: positiveInt().optional(),
  RATE_LIMIT_KEY_PREFIX: z.string().regex(/^[\w.:-]{1,64}$/, 'letters, digits, . : _ - (at most 64)').optional(),
  RATE_LIMIT_REQUESTS_PER_IP: rate.optional(),
  RATE_LIMIT_COST_PER_IP: rate.optional(),
  RATE_LIMIT_COST_PER_USER: rate.optional(),
  RATE_LIMIT_LOGIN_FAILURES_PER_ACCOUNT_AND_IP: rate.optional(),
  RATE_LIMIT_LOGIN_FAILURES_PER_ACCOUNT: rate.optional(),
  RATE_LIMIT_LOGIN_FAILURES_PER_IP: rate.optional(),
  LOGIN_BACKOFF_BASE: duration.optional(),
  LOGIN_BACKOFF_MAX: duration.optional(),
  RATE_LIMIT_SIGNUPS_PER_IP: rate.optional(),
  RATE_LIMIT_WS_CONNECTIONS_PER_IP: rate.optional(),
  RATE_LIMIT_OPERATIONS_PER_SOCKET: rate.optional(),
  RATE_LIMIT_SEND_MESSAGE: rate.optional(),
  RATE_LIMIT_SET_TYPING: rate.optional(),
};

export type SecurityEnv = { [K in keyof typeof securityEnvShape]?: z.output<(typeof securityEnvShape)[K]> };

const DEFAULT_RATES: SecuritySettings['rateLimits'] = {
  keyPrefix: 'parley:rl',
  requestsPerIp: { points: 1200, seconds: 60 },
  costPerIp: { points: 200_000, seconds: 60 },
  costPerUser: { points: 100_000, seconds: 60 },
  loginFailuresPerAccountAndIp: { points: 5, seconds: 15 * 60 },
  loginFailuresPerAccount: { points: 50, seconds: 3600 },
  loginFailuresPerIp: { points: 100, seconds: 3600 },
  loginBackoffBaseSeconds: 30,
  loginBackoffMaxSeconds: 3600,
  signUpsPerIp: { points: 30, seconds: 3600 },
  wsConnectionsPerIp: { points: 60, seconds: 60 },
  operationsPerSocket: { points: 120, seconds: 60 },
  sendMessagePerUser: { points: 30, seconds: 10 },
  setTypingPerUser: { points: 20, seconds: 10 },
};

/**
 * Under NODE_ENV=test every rate is this many times larger unless set explicitly: the suites
 * create many users and send many requests from 127.0.0.1, and must not trip production limits.
 * Tests of the limits themselves set tight ones through the environment.
 */
const TEST_RATE_FACTOR = 1000;

function scaled(rates: SecuritySettings['rateLimits'], factor: number): SecuritySettings['rateLimits'] {
  const out = { ...rates } as Record<string, unknown>;
  for (const [name, value] of Object.entries(rates)) {
    if (typeof value === 'object') out[name] = { ...value, points: value.points * factor };
  }
  return out as SecuritySettings['rateLimits'];
}

/** The settings, from the validated variables and the environment's defaults. */
export function securitySettings(env: SecurityEnv, nodeEnv: Env): SecuritySettings {
  const production = nodeEnv === 'production';
  const base = nodeEnv === 'test' ? scaled(DEFAULT_RATES, TEST_RATE_FACTOR) : DEFAULT_RATES;
  return {
    query: {
      maxDepth: env.QUERY_MAX_DEPTH ?? 12,
      maxAliases: env.QUERY_MAX_ALIASES ?? 20,
      maxDirectives: env.QUERY_MAX_DIRECTIVES ?? 20,
      maxTokens: env.QUERY_MAX_TOKENS ?? 2000,
      maxCost: env.QUERY_MAX_COST ?? 10_000,
    },
    introspection: env.INTROSPECTION ?? (production ? 'admins' : 'everyone'),
    fieldSuggestions: env.FIELD_SUGGESTIONS ?? !production,
    maxBodyBytes: env.MAX_BODY_BYTES ?? 100 * 1024,
    corsOrigins: env.CORS_ORIGINS ?? [],
    trustProxy: env.TRUST_PROXY ?? false,
    wsConnectionInitTimeoutMs: env.WS_CONNECTION_INIT_TIMEOUT_MS ?? 3000,
    rateLimits: {
      keyPrefix: env.RATE_LIMIT_KEY_PREFIX ?? base.keyPrefix,
      requestsPerIp: env.RATE_LIMIT_REQUESTS_PER_IP ?? base.requestsPerIp,
      costPerIp: env.RATE_LIMIT_COST_PER_IP ?? base.costPerIp,
      costPerUser: env.RATE_LIMIT_COST_PER_USER ?? base.costPerUser,
      loginFailuresPerAccountAndIp: env.RATE_LIMIT_LOGIN_FAILURES_PER_ACCOUNT_AND_IP ?? base.loginFailuresPerAccountAndIp,
      loginFailuresPerAccount: env.RATE_LIMIT_LOGIN_FAILURES_PER_ACCOUNT ?? base.loginFailuresPerAccount,
      loginFailuresPerIp: env.RATE_LIMIT_LOGIN_FAILURES_PER_IP ?? base.loginFailuresPerIp,
      loginBackoffBaseSeconds: env.LOGIN_BACKOFF_BASE ?? base.loginBackoffBaseSeconds,
      loginBackoffMaxSeconds: env.LOGIN_BACKOFF_MAX ?? base.loginBackoffMaxSeconds,
      signUpsPerIp: env.RATE_LIMIT_SIGNUPS_PER_IP ?? base.signUpsPerIp,
      wsConnectionsPerIp: env.RATE_LIMIT_WS_CONNECTIONS_PER_IP ?? base.wsConnectionsPerIp,
      operationsPerSocket: env.RATE_LIMIT_OPERATIONS_PER_SOCKET ?? base.operationsPerSocket,
      sendMessagePerUser: env.RATE_LIMIT_SEND_MESSAGE ?? base.sendMessagePerUser,
      setTypingPerUser: env.RATE_LIMIT_SET_TYPING ?? base.setTypingPerUser,
    },
  };
}

/** Combinations no single variable's schema can see; `src/config.ts` reports them with the rest. */
export function securityProblems(settings: SecuritySettings): { path: string; message: string }[] {
  const problems: { path: string; message: string }[] = [];
  const { query, rateLimits } = settings;
  // A budget smaller than the costliest allowed operation would refuse that operation forever.
  if (rateLimits.costPerIp.points < query.maxCost) {
    problems.push({ path: 'RATE_LIMIT_COST_PER_IP', message: `must allow at least QUERY_MAX_COST (${query.maxCost}) points` });
  }
  if (rateLimits.costPerUser.points < query.maxCost) {
    problems.push({ path: 'RATE_LIMIT_COST_PER_USER', message: `must allow at least QUERY_MAX_COST (${query.maxCost}) points` });
  }
  if (rateLimits.loginBackoffMaxSeconds < rateLimits.loginBackoffBaseSeconds) {
    problems.push({ path: 'LOGIN_BACKOFF_MAX', message: 'must not be shorter than LOGIN_BACKOFF_BASE' });
  }
  return problems;
}
