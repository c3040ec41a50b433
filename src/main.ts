import 'reflect-metadata';
import { loadConfig, ConfigError, type Config } from './config';
import { startEmbeddedPostgres, type EmbeddedDatabase } from './infra/embedded-postgres';
import { createLogger } from './infra/logger';
import { createApp, type ParleyApp } from './server/app';

function configOrExit(): Config {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      // The message names every bad variable; a stack trace would only bury it.
      console.error(error.message);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
}

/** Start: config → database (configured or embedded) → app → listen; SIGTERM/SIGINT shut down cleanly. */
async function main(): Promise<void> {
  const config = configOrExit();
  const logger = createLogger(config.logLevel);
  if (config.jwtSecretGenerated) {
    logger.warn('JWT_SECRET is not set: using a random secret, so tokens will not survive a restart (required in production)');
  }

  let embedded: EmbeddedDatabase | undefined;
  let app: ParleyApp | undefined;
  const startup = (async () => {
    let databaseUrl = config.databaseUrl;
    if (!databaseUrl) {
      embedded = await startEmbeddedPostgres(config.embeddedPgDir, logger);
      databaseUrl = embedded.url;
    }
    if (!config.redisUrl) logger.info('REDIS_URL is not set: pub/sub is in-process (run a single instance)');
    app = await createApp({ config, logger, databaseUrl });
    return app.listen();
  })();

  // Installed before startup finishes, so a signal during startup still stops the embedded database.
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      logger.error('shutdown took longer than 10 s; exiting');
      process.exit(1);
    }, 10_000);
    force.unref();
    try {
      await startup.catch(() => undefined);
      await app?.stop();
      await embedded?.stop();
      logger.info('stopped');
      process.exit(0);
    } catch (error) {
      logger.error({ err: error }, 'error during shutdown');
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));

  try {
    const port = await startup;
    if (!stopping) {
      logger.info({ port, graphql: `http://localhost:${port}/graphql`, explorer: `http://localhost:${port}/graphiql` }, 'Parley is listening');
    }
  } catch (error) {
    if (stopping) return;
    logger.fatal({ err: error }, 'could not start');
    await app?.stop().catch(() => undefined);
    await embedded?.stop().catch(() => undefined);
    process.exit(1);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
