import 'reflect-metadata';
import pino from 'pino';
import { loadConfig, type Config } from '../../src/config';
import type { RealtimeLimits } from '../../src/modules/realtime/realtime.limits';
import { createApp, type ParleyApp } from '../../src/server/app';
import { createTestDatabase } from './database';
import { GraphQLTestClient } from './client';

export interface TestServer {
  app: ParleyApp;
  url: string;
  wsUrl: string;
  databaseUrl: string;
  /** A client with no token. */
  anonymous: GraphQLTestClient;
  client(token?: string | null): GraphQLTestClient;
  /** Counts SQL statements run while `fn` runs (all connections of this server). */
  countQueries<T>(fn: () => Promise<T>): Promise<{ result: T; count: number; statements: string[] }>;
  stop(): Promise<void>;
}

export interface TestServerOptions {
  /** Use Redis (REDIS_URL, default redis://127.0.0.1:6379) for pub/sub instead of in-process. */
  redis?: boolean;
  /** Share a database with another test server (two instances, one database). */
  databaseUrl?: string;
  env?: Record<string, string>;
  /** Shorter real-time timings or smaller bounds (typing expiry, presence heartbeat, queues). */
  realtime?: Partial<RealtimeLimits>;
}

/** The real server on a free port, on a fresh database of its own (or a given one). */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const database = options.databaseUrl ? undefined : await createTestDatabase();
  const databaseUrl = options.databaseUrl ?? database!.url;
  const config: Config = loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: databaseUrl,
    REDIS_URL: options.redis ? (process.env.REDIS_URL ?? 'redis://127.0.0.1:6379') : undefined,
    JWT_SECRET: 'test-secret-test-secret-test-secret-0123',
    MIGRATE_ON_START: 'false',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    ...options.env,
  });
  const logger = pino({ level: config.logLevel });
  const app = await createApp({ config, logger, databaseUrl, realtime: options.realtime });
  const port = await app.listen(0, '127.0.0.1');
  const url = `http://127.0.0.1:${port}/graphql`;

  let counting: string[] | null = null;
  const knex = app.services.orm.em.getConnection().getKnex();
  knex.on('query', (query: { sql: string }) => counting?.push(query.sql));

  return {
    app,
    url,
    wsUrl: `ws://127.0.0.1:${port}/graphql`,
    databaseUrl,
    anonymous: new GraphQLTestClient(url),
    client: (token) => new GraphQLTestClient(url, token ?? undefined),
    countQueries: async (fn) => {
      counting = [];
      try {
        const result = await fn();
        return { result, count: counting.length, statements: counting };
      } finally {
        counting = null;
      }
    },
    stop: async () => {
      await app.stop();
      await database?.drop();
    },
  };
}
