import 'reflect-metadata';
import { MikroORM } from '@mikro-orm/postgresql';
import { ormOptions } from '../src/infra/orm-options';

/** Applies pending migrations to DATABASE_URL (`npm run migrate`; the server also does it at start). */
async function main() {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is required');
  const options = ormOptions(url, { poolMax: 2 });
  // Quiet for the test harness; `npm run migrate` prints a one-line summary instead.
  const orm = await MikroORM.init({ ...options, migrations: { ...options.migrations, silent: true } });
  try {
    const executed = await orm.getMigrator().up();
    if (!process.env.QUIET) console.log(`applied ${executed.length} migration(s)`);
  } finally {
    await orm.close(true);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
