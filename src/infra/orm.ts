import { MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import { ormOptions } from './orm-options';

export type Orm = MikroORM;

/** Connects, and runs pending migrations when asked (the default at start). */
export async function createOrm(databaseUrl: string, options: { migrate: boolean; logger: Logger; poolMax?: number }): Promise<Orm> {
  const orm = await MikroORM.init({
    ...ormOptions(databaseUrl, { poolMax: options.poolMax }),
    // The ORM's own lines (e.g. each migration as it runs) join the structured log instead of stdout.
    logger: (message: string) => options.logger.debug({ orm: message }, 'mikro-orm'),
    colors: false,
    // knex reports dropped connections through its own logger (console.log by default).
    driverOptions: {
      log: {
        warn: (message: unknown) => options.logger.warn({ knex: String(message) }, 'database connection'),
        error: (message: unknown) => options.logger.error({ knex: String(message) }, 'database connection'),
        deprecate: (message: unknown) => options.logger.debug({ knex: String(message) }, 'knex deprecation'),
        debug: (message: unknown) => options.logger.debug({ knex: message }, 'knex'),
      },
    },
  });
  if (options.migrate) {
    const executed = await orm.getMigrator().up();
    if (executed.length > 0) options.logger.info({ migrations: executed.map((m) => m.name) }, 'migrations applied');
  }
  return orm;
}
