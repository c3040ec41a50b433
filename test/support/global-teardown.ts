import { runAdmin } from './database';

export default async function globalTeardown(): Promise<void> {
  const template = process.env.PARLEY_TEST_TEMPLATE_DB;
  if (template) await runAdmin(`drop database if exists "${template}" with (force)`);
  const embedded = (globalThis as { __embeddedPg?: { stop(): Promise<void> } }).__embeddedPg;
  await embedded?.stop();
}
