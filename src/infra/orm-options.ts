import 'reflect-metadata';
import path from 'node:path';
import { defineConfig } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import { entities } from './entities';

const projectRoot = path.resolve(__dirname, '..', '..', __dirname.includes(`${path.sep}dist${path.sep}`) ? '..' : '');

/** Options shared by the server, the migration CLI and the tests, so all three see one schema. */
export function ormOptions(clientUrl: string, overrides: { debug?: boolean; poolMax?: number } = {}) {
  return defineConfig({
    clientUrl,
    entities,
    extensions: [Migrator],
    // Every request forks its own EntityManager; the global one must never be used by accident.
    allowGlobalContext: false,
    forceUtcTimezone: true,
    ignoreUndefinedInQuery: true,
    pool: { min: 0, max: overrides.poolMax ?? 20 },
    debug: overrides.debug ?? false,
    migrations: {
      path: path.join(projectRoot, 'dist', 'migrations'),
      pathTs: path.join(projectRoot, 'migrations'),
      glob: '!(*.d).{js,ts}',
      tableName: 'mikro_orm_migrations',
      transactional: true,
      allOrNothing: true,
      snapshot: false,
      emit: 'ts',
    },
  });
}
