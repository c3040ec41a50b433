import { MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import { ormOptions } from './orm-options';

export type Orm = MikroORM;

/** Connects, and runs pending migrations when asked (the default at start). */
export async function createOrm(databaseUrl: string, options: { migrate: boolean; logger: Logger; poolMax?: number }): Promise<Orm> {
  const orm = await MikroORM.init(ormOptions(databaseUrl, { poolMax: options.poolMax }));
  if (options.migrate) {
    const executed = await orm.getMigrator().up();
    if (executed.length > 0) options.logger.info({ migrations: executed.map((m) => m.name) }, 'migrations applied');
  }
  return orm;
}
