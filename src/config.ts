import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { securityEnvShape, securityProblems, securitySettings, type SecuritySettings } from './server/security/settings';
import { dashboardEnvShape, dashboardSettings, type DashboardSettings } from './modules/dashboard/dashboard.settings';
import { slaEnvShape, slaProblems, slaSettings, type SlaSettings } from './modules/sla/sla.settings';

const booleanFromEnv = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'must be one of true, false, 1, 0, yes, no' })
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

/** A whole number from the environment, with messages that say what is expected. */
const integerFromEnv = (min: number, max: number) =>
  z.coerce
    .number({ error: 'must be a number' })
    .int('must be a whole number')
    .min(min, `must be from ${min} to ${max}`)
    .max(max, `must be from ${min} to ${max}`);

const envSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test'], { error: 'must be development, production or test' }).default('development'),
    PORT: integerFromEnv(0, 65535).default(4000),
    HOST: z.string().default('0.0.0.0'),
    DATABASE_URL: z.string().url('must be a URL, e.g. postgres://user:password@host:5432/parley').optional(),
    REDIS_URL: z.string().url('must be a URL, e.g. redis://host:6379').optional(),
    JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
    ACCESS_TOKEN_TTL_SECONDS: integerFromEnv(10, 86_400).default(900),
    REFRESH_TOKEN_TTL_DAYS: integerFromEnv(1, 365).default(30),
    ADMIN_EMAIL: z.string().email('must be an e-mail address').optional(),
    ADMIN_PASSWORD: z.string().min(8, 'must be at least 8 characters').optional(),
    MIGRATE_ON_START: booleanFromEnv.default(true),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { error: 'must be one of fatal, error, warn, info, debug, trace, silent' }).default('info'),
    EMBEDDED_PG_DIR: z.string().default('.data/postgres'),
    // Abuse limits, introspection, CORS, proxies: see src/server/security/settings.ts.
    ...securityEnvShape,
    AUTO_ASSIGN: booleanFromEnv.default(true),
    PRESENCE_GRACE_SECONDS: z.coerce.number().min(1).max(86_400).default(60),
    // Channels: uploads, Messenger, e-mail, acknowledgements, and the job worker behind them.
    PUBLIC_URL: z.string().url('must be a URL, e.g. https://api.help.example.com').optional(),
    WEB_URL: z.string().url('must be a URL, e.g. https://help.example.com').optional(),
    UPLOAD_DIR: z.string().default('.data/uploads'),
    UPLOAD_MAX_BYTES: integerFromEnv(1, 1024 * 1024 * 1024).default(10 * 1024 * 1024),
    ATTACHMENT_URL_TTL_SECONDS: integerFromEnv(10, 86_400).default(300),
    MESSENGER_VERIFY_TOKEN: z.string().optional(),
    MESSENGER_APP_SECRET: z.string().optional(),
    MESSENGER_PAGE_TOKEN: z.string().optional(),
    MESSENGER_GRAPH_URL: z.string().url('must be a URL').default('https://graph.facebook.com/v21.0'),
    SMTP_URL: z.string().url('must be a URL, e.g. smtp://user:password@mail.example.com:587').optional(),
    MAIL_FROM: z.string().default('Parley <no-reply@parley.invalid>'),
    AUTO_ACK_DELAY_MS: integerFromEnv(0, 86_400_000).optional(),
    JOBS_WORKER: booleanFromEnv.default(true),
    JOBS_POLL_INTERVAL_MS: integerFromEnv(5, 60_000).default(1000),
    JOBS_CONCURRENCY: integerFromEnv(1, 64).default(4),
    JOBS_MAX_ATTEMPTS: integerFromEnv(1, 100).default(10),
    JOBS_RETRY_BASE_MS: integerFromEnv(1, 3_600_000).default(5000),
    JOBS_RETRY_MAX_MS: integerFromEnv(1, 86_400_000).default(3_600_000),
    JOBS_LEASE_MS: integerFromEnv(1000, 3_600_000).default(300_000),
    // SLA targets and the breach job; the dashboard's time zone and push rate.
    ...slaEnvShape,
    ...dashboardEnvShape,
  })
  .superRefine((env, ctx) => {
    for (const issue of crossFieldIssues(env)) ctx.addIssue({ code: 'custom', ...issue });
    for (const { path, message } of securityProblems(securitySettings(env, env.NODE_ENV))) ctx.addIssue({ code: 'custom', path: [path], message });
    for (const { path, message } of slaProblems(env)) ctx.addIssue({ code: 'custom', path: [path], message });
  });

/**
 * Rules between variables. They are checked on the raw values too, because zod skips refinements
 * once a field has failed, and one run should name every problem.
 */
function crossFieldIssues(env: Record<string, unknown>): { path: string[]; message: string }[] {
  const issues: { path: string[]; message: string }[] = [];
  if (env.NODE_ENV === 'production' && !env.JWT_SECRET) {
    issues.push({ path: ['JWT_SECRET'], message: 'required when NODE_ENV=production' });
  }
  if (env.ADMIN_EMAIL && !env.ADMIN_PASSWORD) issues.push({ path: ['ADMIN_PASSWORD'], message: 'required with ADMIN_EMAIL' });
  if (env.ADMIN_PASSWORD && !env.ADMIN_EMAIL) issues.push({ path: ['ADMIN_EMAIL'], message: 'required with ADMIN_PASSWORD' });
  const messenger = ['MESSENGER_VERIFY_TOKEN', 'MESSENGER_APP_SECRET', 'MESSENGER_PAGE_TOKEN'];
  if (messenger.some((name) => env[name])) {
    for (const name of messenger.filter((name) => !env[name])) issues.push({ path: [name], message: `required with ${messenger.filter((other) => env[other]).join(', ')}` });
  }
  return issues;
}

export interface Config {
  env: 'development' | 'production' | 'test';
  port: number;
  host: string;
  /** Unset: an embedded PostgreSQL is started under `embeddedPgDir`. */
  databaseUrl?: string;
  /** Unset: pub/sub stays in-process (one instance only). */
  redisUrl?: string;
  jwtSecret: string;
  jwtSecretGenerated: boolean;
  accessTokenTtlSeconds: number;
  refreshTokenTtlDays: number;
  admin?: { email: string; password: string };
  migrateOnStart: boolean;
  logLevel: string;
  embeddedPgDir: string;
  /** Query limits, rate limits, introspection, CORS and proxies. */
  security: SecuritySettings;
  /** Routing assigns waiting tickets to agents by itself; false leaves them queued for manual assignment. */
  autoAssign: boolean;
  /** How long an AVAILABLE agent may be without a live websocket before presence takes them OFFLINE. */
  presenceGraceSeconds: number;
  /** Where people reach this server (download links); unset: `Attachment.url` is a path on this server. */
  publicUrl?: string;
  /** The web app, for links in e-mails and acknowledgements (`/tickets/<number>`, `/help/<slug>`); unset: no links. */
  webUrl?: string;
  uploads: { dir: string; maxBytes: number; urlTtlSeconds: number };
  /** Unset: the Messenger webhook answers 404 and nothing is sent to Messenger. */
  messenger?: { verifyToken: string; appSecret: string; pageToken: string; graphUrl: string };
  /** Unset `smtpUrl`: no e-mail is sent (nothing is queued either). */
  mail: { smtpUrl?: string; from: string };
  /**
   * How long after a customer opens a ticket its acknowledgement is written; 0: none. 2000 by
   * default, 0 under NODE_ENV=test so that tests of other features see only the messages they send.
   */
  autoAckDelayMs: number;
  /** The durable job worker (outboxes, scheduled work); timings are short in tests. */
  jobs: { worker: boolean; pollIntervalMs: number; concurrency: number; maxAttempts: number; retryBaseMs: number; retryMaxMs: number; leaseMs: number };
  sla: SlaSettings;
  dashboard: DashboardSettings;
}

export class ConfigError extends Error {}

/** Reads and validates the environment once, with a message naming every bad variable. */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  const present = Object.fromEntries(Object.entries(source).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    const issues = [...parsed.error.issues];
    for (const extra of crossFieldIssues(present)) {
      if (!issues.some((issue) => issue.path.join('.') === extra.path.join('.'))) issues.push({ ...extra, code: 'custom', input: undefined });
    }
    const lines = issues.map((issue) => `  ${issue.path.join('.') || '(env)'}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const env = parsed.data;
  return {
    env: env.NODE_ENV,
    port: env.PORT,
    host: env.HOST,
    databaseUrl: env.DATABASE_URL,
    redisUrl: env.REDIS_URL,
    jwtSecret: env.JWT_SECRET ?? randomBytes(32).toString('base64url'),
    jwtSecretGenerated: !env.JWT_SECRET,
    accessTokenTtlSeconds: env.ACCESS_TOKEN_TTL_SECONDS,
    refreshTokenTtlDays: env.REFRESH_TOKEN_TTL_DAYS,
    admin: env.ADMIN_EMAIL && env.ADMIN_PASSWORD ? { email: env.ADMIN_EMAIL, password: env.ADMIN_PASSWORD } : undefined,
    migrateOnStart: env.MIGRATE_ON_START,
    logLevel: env.LOG_LEVEL,
    embeddedPgDir: env.EMBEDDED_PG_DIR,
    security: securitySettings(env, env.NODE_ENV),
    autoAssign: env.AUTO_ASSIGN,
    presenceGraceSeconds: env.PRESENCE_GRACE_SECONDS,
    publicUrl: env.PUBLIC_URL?.replace(/\/+$/, ''),
    webUrl: env.WEB_URL?.replace(/\/+$/, ''),
    uploads: { dir: env.UPLOAD_DIR, maxBytes: env.UPLOAD_MAX_BYTES, urlTtlSeconds: env.ATTACHMENT_URL_TTL_SECONDS },
    messenger:
      env.MESSENGER_VERIFY_TOKEN && env.MESSENGER_APP_SECRET && env.MESSENGER_PAGE_TOKEN
        ? {
            verifyToken: env.MESSENGER_VERIFY_TOKEN,
            appSecret: env.MESSENGER_APP_SECRET,
            pageToken: env.MESSENGER_PAGE_TOKEN,
            graphUrl: env.MESSENGER_GRAPH_URL.replace(/\/+$/, ''),
          }
        : undefined,
    mail: { smtpUrl: env.SMTP_URL, from: env.MAIL_FROM },
    autoAckDelayMs: env.AUTO_ACK_DELAY_MS ?? (env.NODE_ENV === 'test' ? 0 : 2000),
    jobs: {
      worker: env.JOBS_WORKER,
      pollIntervalMs: env.JOBS_POLL_INTERVAL_MS,
      concurrency: env.JOBS_CONCURRENCY,
      maxAttempts: env.JOBS_MAX_ATTEMPTS,
      retryBaseMs: env.JOBS_RETRY_BASE_MS,
      retryMaxMs: env.JOBS_RETRY_MAX_MS,
      leaseMs: env.JOBS_LEASE_MS,
    },
    sla: slaSettings(env),
    dashboard: dashboardSettings(env),
  };
}
