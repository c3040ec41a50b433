import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { Writable } from 'node:stream';
import Redis from 'ioredis';
import pino from 'pino';
import { Client } from 'pg';
import { loadConfig } from '../../../src/config';
import { createApp, type ParleyApp } from '../../../src/server/app';
import { GraphQLTestClient } from '../../support/client';
import { createTestDatabase } from '../../support/database';
import { waitFor } from '../../support/ws-client';

/** A fresh key prefix, so limits counted in a shared Redis by other runs or files never apply here. */
export const uniquePrefix = (name: string) => `hardening-${name}-${randomBytes(4).toString('hex')}`;

export interface HttpAnswer<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface GraphQLBody {
  data?: Record<string, unknown> | null;
  errors?: { message: string; extensions?: Record<string, unknown>; path?: (string | number)[] }[];
}

export interface PostOptions {
  token?: string;
  /** Sent as X-Forwarded-For: the client address when TRUST_PROXY trusts loopback. */
  ip?: string;
  headers?: Record<string, string>;
}

/** POST /graphql with full control of the headers, and the raw answer (status, headers, body). */
export async function post(
  url: string,
  body: unknown,
  options: PostOptions = {},
): Promise<HttpAnswer<GraphQLBody>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json, application/json',
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...(options.ip ? { 'x-forwarded-for': options.ip } : {}),
      ...options.headers,
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: GraphQLBody;
  try {
    parsed = JSON.parse(text) as GraphQLBody;
  } catch {
    parsed = {};
  }
  return { status: response.status, headers: response.headers, body: parsed, text };
}

export const codesOf = (answer: HttpAnswer<GraphQLBody>) => (answer.body.errors ?? []).map((error) => error.extensions?.code);

/** Log lines a server wrote, parsed. */
export class LogCapture {
  readonly lines: Record<string, unknown>[] = [];
  readonly stream = new Writable({
    write: (chunk: Buffer, _encoding, done) => {
      for (const line of chunk.toString().split('\n').filter(Boolean)) this.lines.push(JSON.parse(line));
      done();
    },
  });

  withRequestId(requestId: string): Record<string, unknown>[] {
    return this.lines.filter((line) => line.requestId === requestId);
  }
}

export interface HardenedServer {
  app: ParleyApp;
  url: string;
  wsUrl: string;
  origin: string;
  databaseUrl: string;
  databaseName: string;
  logs: LogCapture;
  client(token?: string): GraphQLTestClient;
  stop(): Promise<void>;
}

/**
 * Like test/support/server.ts' startTestServer (same database template, same bootstrap), with the
 * log captured and the environment fully in the test's hands: these tests set tight limits,
 * production mode, their own Redis.
 */
export async function startHardenedServer(env: Record<string, string> = {}): Promise<HardenedServer> {
  const database = await createTestDatabase();
  const logs = new LogCapture();
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: database.url,
    JWT_SECRET: 'hardening-secret-hardening-secret-0123',
    MIGRATE_ON_START: 'false',
    LOG_LEVEL: 'info',
    JOBS_WORKER: 'false',
    RATE_LIMIT_KEY_PREFIX: uniquePrefix('server'),
    ...env,
  });
  const logger = pino({ level: config.logLevel }, logs.stream);
  const app = await createApp({ config, logger, databaseUrl: database.url });
  const port = await app.listen(0, '127.0.0.1');
  const url = `http://127.0.0.1:${port}/graphql`;
  return {
    app,
    url,
    wsUrl: `ws://127.0.0.1:${port}/graphql`,
    origin: `http://127.0.0.1:${port}`,
    databaseUrl: database.url,
    databaseName: database.name,
    logs,
    client: (token) => new GraphQLTestClient(url, token),
    stop: async () => {
      await app.stop();
      await database.drop();
    },
  };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
    probe.on('error', reject);
  });
}

/** A redis-server of the test's own (no persistence), so stopping it disturbs nobody else. */
export class OwnRedis {
  private child: ChildProcess | undefined;
  private constructor(readonly port: number) {}

  static async start(): Promise<OwnRedis> {
    const redis = new OwnRedis(await freePort());
    await redis.restart();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async restart(): Promise<void> {
    this.child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    const probe = new Redis({ port: this.port, host: '127.0.0.1', lazyConnect: true, retryStrategy: () => 50, maxRetriesPerRequest: null });
    probe.on('error', () => undefined);
    try {
      await waitFor(() => probe.ping().then((reply) => reply === 'PONG'), 5000, 'redis-server to start');
    } finally {
      probe.disconnect();
    }
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }
}

/** Ends every connection to `database` but the caller's: only this test's database is touched. */
export async function terminateBackends(adminUrl: string, database: string): Promise<number> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ pid: number }>(
      'select pg_terminate_backend(pid) as pid from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()',
      [database],
    );
    return rows.length;
  } finally {
    await client.end();
  }
}

/** Tables background work writes on its own schedule (the job queue, the dashboard's rollups, migrations). */
const BACKGROUND_TABLES = /^(jobs|mikro_orm_migrations)$|_stats_|^ticket_stats/;

export interface WriteCounter {
  /** Committed row writes so far (inserts, updates and deletes of every watched table). */
  count(): Promise<number>;
  /** The last `n` writes, as `OP table`, to say what was written. */
  last(n: number): Promise<string[]>;
}

/**
 * Row-level triggers on every table of this server's own database that count committed writes, so
 * a test can tell that a failed request wrote nothing (a rolled-back write is not counted).
 */
export async function installWriteCounter(server: HardenedServer): Promise<WriteCounter> {
  const connection = server.app.services.orm.em.getConnection();
  const sql = <T>(statement: string, params: unknown[] = []) => connection.execute(statement, params) as Promise<T[]>;
  const tables = (await sql<{ tablename: string }>(`select tablename from pg_tables where schemaname = 'public'`)).filter(({ tablename }) => !BACKGROUND_TABLES.test(tablename));
  await sql('create table hardening_writes (n bigserial primary key, op text not null, table_name text not null)');
  await sql(`create function hardening_count_write() returns trigger language plpgsql as $$
    begin insert into hardening_writes (op, table_name) values (TG_OP, TG_TABLE_NAME); return null; end $$`);
  for (const { tablename } of tables) {
    await sql(`create trigger hardening_write after insert or update or delete on "${tablename}" for each row execute function hardening_count_write()`);
  }
  return {
    count: async () => Number((await sql<{ n: string }>('select coalesce(max(n), 0) as n from hardening_writes'))[0].n),
    last: async (n) => (await sql<{ op: string; table_name: string }>('select op, table_name from hardening_writes order by n desc limit ?', [n])).map((row) => `${row.op} ${row.table_name}`),
  };
}

/** Text that must never reach a client: stack frames, SQL, driver and file-system details. */
export const LEAK_PATTERNS: RegExp[] = [
  /\bat [\w.<>]+ \(/, // stack frame
  /node_modules|\/src\/|\.ts:\d+/,
  /\b(select|insert|update|delete)\b.+\b(from|into|set)\b/i,
  /\bsyntax error at or near\b|\bviolates\b.+\bconstraint\b|\brelation "/i,
  /ECONNREFUSED|ECONNRESET|ETIMEDOUT|terminating connection|Connection terminated/i,
  /MikroORM|knex|TypeError|ReferenceError|Cannot read propert/i,
];

export function leaks(text: string): string | undefined {
  return LEAK_PATTERNS.find((pattern) => pattern.test(text))?.source;
}
