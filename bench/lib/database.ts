import 'reflect-metadata';
import { MikroORM } from '@mikro-orm/postgresql';
import Redis from 'ioredis';
import { Client } from 'pg';
import { ormOptions } from '../../src/infra/orm-options';

/** The server-level URL benchmark databases are created on (BENCH_PG_URL overrides it). */
export const ADMIN_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

export function databaseUrl(name: string): string {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Only databases named like ours are ever dropped. */
function assertBenchName(name: string): void {
  if (!/^parley_bench(_[a-z0-9]+)*$/.test(name)) throw new Error(`refusing to touch database ${name}: benchmark databases are parley_bench_*`);
}

export async function withClient<T>(url: string, fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export async function databaseExists(name: string): Promise<boolean> {
  return withClient(ADMIN_URL, async (client) => (await client.query('select 1 from pg_database where datname = $1', [name])).rowCount === 1);
}

/** Drops (if present) and creates `name`, then applies the project's migrations to it. */
export async function recreateDatabase(name: string): Promise<string> {
  assertBenchName(name);
  await withClient(ADMIN_URL, async (client) => {
    await client.query(`drop database if exists "${name}" with (force)`);
    await client.query(`create database "${name}"`);
  });
  const url = databaseUrl(name);
  const orm = await MikroORM.init({ ...ormOptions(url, { poolMax: 2 }), logger: () => undefined });
  try {
    await orm.getMigrator().up();
  } finally {
    await orm.close(true);
  }
  return url;
}

/**
 * VACUUM ANALYZE of a benchmark database, as autovacuum would keep it. This machine's PostgreSQL
 * runs with autovacuum off, and every message updates its ticket's row: a reused benchmark database
 * had 1,065,051 dead rows for 10,000 tickets (200 MB), which every later statement read through.
 * Returns the dead rows found before, for the log.
 */
export async function vacuumDatabase(url: string): Promise<{ deadRows: number; seconds: number }> {
  return withClient(url, async (client) => {
    const { rows } = await client.query<{ dead: string }>('select coalesce(sum(n_dead_tup), 0) as dead from pg_stat_user_tables');
    const started = performance.now();
    await client.query('vacuum (analyze)');
    return { deadRows: Number(rows[0].dead), seconds: (performance.now() - started) / 1000 };
  });
}

export async function dropDatabase(name: string): Promise<void> {
  assertBenchName(name);
  await withClient(ADMIN_URL, (client) => client.query(`drop database if exists "${name}" with (force)`));
}

export async function serverVersions(url: string): Promise<{ postgres: string; redis: string }> {
  const postgres = await withClient(url, async (client) => (await client.query<{ server_version: string }>('show server_version')).rows[0].server_version);
  let redis = 'unknown';
  try {
    const connection = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await connection.connect();
    const info = await connection.info('server');
    redis = /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown';
    connection.disconnect();
  } catch {
    // reported as unknown
  }
  return { postgres, redis };
}
