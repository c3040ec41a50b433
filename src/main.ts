import 'reflect-metadata';
import { loadConfig, ConfigError } from './config';
import { startEmbeddedPostgres, type EmbeddedDatabase } from './infra/embedded-postgres';
import { createLogger } from './infra/logger';
import { createApp } from './server/app';

/** Start: config → database (configured or embedded) → app → listen; SIGTERM/SIGINT shut down cleanly. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);
  if (config.jwtSecretGenerated) {
    logger.warn('JWT_SECRET is not set: using a random secret, so tokens will not survive a restart (required in production)');
  }

  let embedded: EmbeddedDatabase | undefined;
  let databaseUrl = config.databaseUrl;
  if (!databaseUrl) {
    embedded = await startEmbeddedPostgres(config.embeddedPgDir, logger);
    databaseUrl = embedded.url;
  }
  if (!config.redisUrl) logger.info('REDIS_URL is not set: pub/sub is in-process (run a single instance)');

  const app = await createApp({ config, logger, databaseUrl }).catch(async (error) => {
    await embedded?.stop();
    throw error;
  });
  const port = await app.listen();
  logger.info({ port, graphql: `http://localhost:${port}/graphql`, explorer: `http://localhost:${port}/graphiql` }, 'Parley is listening');

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
      await app.stop();
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
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
