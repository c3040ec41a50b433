import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginUsageReportingDisabled, ApolloServerPluginSchemaReportingDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import express, { type Request } from 'express';
import { GraphQLError } from 'graphql';
import type { Logger } from 'pino';
import type { Config } from '../config';
import { createOrm, type Orm } from '../infra/orm';
import { createPubSub, type PubSub } from '../infra/pubsub';
import { toClientError } from '../shared/errors';
import { authenticate } from './authenticate';
import { createAppServices, createRequestContext, type AppServices, type RequestContext } from './context';
import { mountExplorer } from './explorer';
import { serverClassesFor } from './express-prototypes';
import { bootstrapAdmin } from './bootstrap';
import { compiledExecutionGateway } from './executor';
import { errorHandler, requestLogging } from './http-logging';
import { getSchema } from './schema';
import { createSecurity } from './security';
import { validationRulesFor } from './validation-rules';
import { createWebSocketServer, type WebSocketServerHandle } from './ws';
import type { RealtimeLimits } from '../modules/realtime/realtime.limits';
import { startDashboard } from '../modules/dashboard';
import { startSla } from '../modules/sla';
import { createChannels } from '../modules/channels';

/** A probe must get its answer quickly: a dependency that stalls longer counts as unavailable. */
const READINESS_TIMEOUT_MS = 2000;

async function answersWithin(ms: number, check: () => Promise<boolean>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([check().catch(() => false), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export interface ParleyApp {
  services: AppServices;
  httpServer: Server;
  /** Resolves with the bound port (useful with PORT=0). */
  listen(port?: number, host?: string): Promise<number>;
  /** Drains HTTP, closes websockets, then the ORM and pub/sub. */
  stop(): Promise<void>;
}

export interface CreateAppOptions {
  config: Config;
  logger: Logger;
  /** Database to use; main.ts passes the configured or the embedded one. */
  databaseUrl: string;
  /** Reuse a connected ORM (tests); otherwise one is created and owned. */
  orm?: Orm;
  pubsub?: PubSub;
  /** Real-time bounds and timings (tests shorten them); production uses the defaults. */
  realtime?: Partial<RealtimeLimits>;
}

/** Builds the whole server: the one bootstrap shared by main.ts and the tests. */
export async function createApp(options: CreateAppOptions): Promise<ParleyApp> {
  const { config, logger } = options;
  const orm = options.orm ?? (await createOrm(options.databaseUrl, { migrate: config.migrateOnStart, logger }));
  const pubsub = options.pubsub ?? createPubSub(config.redisUrl, logger);
  if (!(await pubsub.ready())) logger.warn('redis is not reachable yet; real-time events resume once it is');
  const services = createAppServices(config, orm, pubsub, logger, options.realtime);
  await bootstrapAdmin(services);
  const channels = createChannels(services, options.databaseUrl);
  // SLA planning and the breach job; the dashboard's rollup upkeep (each led by one instance).
  const sla = startSla(services);
  const dashboard = startDashboard(services);

  const schema = await getSchema();
  const app = express();
  app.disable('x-powered-by');
  // Express hashes every answer into an ETag (SHA-1 of a list's 120 KB, about 1% of its CPU) for a
  // conditional GET that GraphQL clients, posting their operations, never make. The explorer's
  // assets keep theirs (sendFile sets its own).
  app.set('etag', false);
  const httpServer = createServer(serverClassesFor(app), app);
  const security = createSecurity(config, schema, logger);
  security.http.prepare(app);
  const sockets: WebSocketServerHandle = createWebSocketServer(httpServer, schema, services, security);

  const apollo = new ApolloServer<RequestContext>({
    // The same schema, executed by compiled operations (see executor.ts).
    gateway: compiledExecutionGateway(schema),
    csrfPrevention: true,
    introspection: true,
    includeStacktraceInErrorResponses: false,
    validationRules: validationRulesFor(config),
    parseOptions: security.parseOptions,
    // main.ts owns SIGTERM/SIGINT. Apollo's own handler would start stop() first, and a second,
    // concurrent stop() (ours) waits on a barrier Apollo never resolves: shutdown would hang.
    stopOnTerminationSignals: false,
    // Masks whatever is not an application error; didEncounterErrors below logs the details.
    formatError: (_formatted, error) => security.formatError(error),
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      ApolloServerPluginLandingPageDisabled(),
      // Parley sets no cache hints, and the plugin wraps every field's resolver to look for them.
      ApolloServerPluginCacheControlDisabled(),
      ApolloServerPluginUsageReportingDisabled(),
      ApolloServerPluginSchemaReportingDisabled(),
      security.apolloPlugin,
      {
        // Every error of a request carries its id, so a client's report can be found in the logs.
        async requestDidStart({ contextValue }) {
          return {
            async didEncounterErrors({ errors }) {
              for (const error of errors) toClientError(error, { requestId: contextValue.requestId, logger: contextValue.logger });
            },
            async willSendResponse({ response }) {
              if (response.body.kind === 'single' && response.body.singleResult.errors) {
                response.body.singleResult.errors = response.body.singleResult.errors.map((error) => ({
                  ...error,
                  extensions: { ...error.extensions, requestId: contextValue.requestId },
                }));
              }
            },
          };
        },
        async serverWillStart() {
          return { drainServer: () => sockets.dispose() };
        },
      },
    ],
  });
  await apollo.start();

  app.use(requestLogging(logger));
  app.use(security.http.headers);

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    const [database, redis] = await Promise.all([
      answersWithin(READINESS_TIMEOUT_MS, async () => (await orm.em.getConnection().execute('select 1')).length === 1),
      pubsub.kind === 'redis' ? answersWithin(READINESS_TIMEOUT_MS, () => pubsub.ping()) : undefined,
    ]);
    const checks: Record<string, string> = { database: database ? 'ok' : 'unavailable' };
    if (redis !== undefined) checks.redis = redis ? 'ok' : 'unavailable';
    const ready = database && redis !== false;
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'unavailable', checks });
  });

  mountExplorer(app);
  channels.mount(app);

  app.use(
    '/graphql',
    security.http.beforeGraphQL,
    expressMiddleware(apollo, {
      context: async ({ req }) => {
        const requestId = (req as Request & { requestId: string }).requestId;
        const viewer = await authenticate(services, req.headers.authorization).catch((error: unknown) => {
          // Logged here with its cause, since the client sees only a masked error and its request id.
          req.log.error({ err: error }, 'could not authenticate the request');
          // Apollo would answer with the cause's message (SQL, driver details) behind "Context creation failed".
          throw new GraphQLError('Internal server error.', { extensions: { code: 'INTERNAL_SERVER_ERROR' } });
        });
        // A token that was sent but no longer holds is treated as none: `viewer` answers null and
        // protected fields answer UNAUTHENTICATED, which tells the client to refresh.
        const ctx = createRequestContext(services, viewer === 'invalid' ? null : viewer, requestId);
        security.bindRequest(ctx, req);
        return ctx;
      },
    }),
  );
  app.use(errorHandler());

  channels.start();

  let closing: Promise<void> | undefined;
  return {
    services,
    httpServer,
    listen: (port = config.port, host = config.host) =>
      new Promise((resolve, reject) => {
        httpServer.once('error', reject);
        // A deep accept queue (Node's default is 511; the kernel caps it at net.core.somaxconn): when
        // thousands of websockets reconnect at once, connections beyond the queue are dropped and
        // their clients retry after 1, 3, 7... seconds, which made a storm take minutes.
        httpServer.listen({ port, host, backlog: 8192 }, () => resolve((httpServer.address() as AddressInfo).port));
      }),
    stop: () => {
      closing ??= (async () => {
        await apollo.stop();
        await channels.stop();
        await Promise.all([sla.stop(), dashboard.stop()]);
        await security.close();
        await services.realtime.close();
        if (!options.pubsub) await pubsub.close();
        if (!options.orm) await orm.close(true);
      })();
      return closing;
    },
  };
}
