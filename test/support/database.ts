import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/** The server-level URL tests create their databases on (set by global-setup). */
export function adminUrl(): string {
  const url = process.env.PARLEY_TEST_ADMIN_URL;
  if (!url) throw new Error('PARLEY_TEST_ADMIN_URL is not set: run the tests through jest (global-setup sets it)');
  return url;
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

export async function runAdmin(sql: string): Promise<void> {
  const client = new Client({ connectionString: adminUrl() });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** A fresh database for one test file, cloned from the migrated template (fast: no migrations to run). */
export async function createTestDatabase(): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  const template = process.env.PARLEY_TEST_TEMPLATE_DB;
  if (!template) throw new Error('PARLEY_TEST_TEMPLATE_DB is not set');
  const name = `parley_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  await runAdmin(`create database "${name}" template "${template}"`);
  return {
    name,
    url: withDatabase(adminUrl(), name),
    drop: () => runAdmin(`drop database if exists "${name}" with (force)`),
  };
}
