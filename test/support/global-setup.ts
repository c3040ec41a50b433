import { execFileSync } from 'node:child_process';
import path from 'node:path';
import pino from 'pino';
import { startEmbeddedPostgres } from '../../src/infra/embedded-postgres';
import { runAdmin, withDatabase } from './database';

/**
 * Once per `jest` run: find a PostgreSQL (DATABASE_URL, else an embedded one), and build a
 * template database with every migration applied. Each test file clones it.
 */
export default async function globalSetup(): Promise<void> {
  let serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    const embedded = await startEmbeddedPostgres('.data/test-postgres', pino({ level: 'warn' }), 'postgres');
    (globalThis as { __embeddedPg?: { stop(): Promise<void> } }).__embeddedPg = embedded;
    serverUrl = embedded.url;
  }
  process.env.PARLEY_TEST_ADMIN_URL = withDatabase(serverUrl, 'postgres');
  const template = `parley_template_${process.pid}`;
  process.env.PARLEY_TEST_TEMPLATE_DB = template;
  await runAdmin(`drop database if exists "${template}"`);
  await runAdmin(`create database "${template}"`);
  // In a child process: MikroORM keeps entity metadata in a process-wide store, which must not
  // leak from this realm into the test files' realm when jest runs in band.
  const root = path.resolve(__dirname, '..', '..');
  execFileSync(process.execPath, ['-r', '@swc-node/register', path.join(root, 'scripts', 'migrate.ts')], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: withDatabase(serverUrl, template), QUIET: '1' },
    stdio: 'inherit',
  });
}
