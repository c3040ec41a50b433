import type { IncomingMessage } from 'node:http';
import type { ApolloServerPlugin } from '@apollo/server';
import type { Express, RequestHandler } from 'express';
import type { GraphQLSchema, ParseOptions } from 'graphql';
import type { Logger } from 'pino';
import type { Config } from '../../config';
import type { RequestContext } from '../context';
import { securityApolloPlugin } from './apollo-plugin';
import { clientErrorFormatter, type ClientErrorFormatter } from './client-errors';
import { clientIpResolver, graphqlBody, limitRequests, requestIdOnEarlyErrors, securityHeaders } from './http';
import { OperationGuard } from './operation-guard';
import { parseOptionsFor } from './query-limits';
import { RateLimits } from './rate-limits';
import { bindRequestOrigin } from './request-guard';
import type { SecuritySettings } from './settings';
import { WebSocketGuard } from './websocket';

export { rateLimit, beginLoginAttempt } from './request-guard';
export { RateLimitedError } from './rate-limits';

/** Everything that keeps a hostile client from exhausting Parley or learning from it, per app. */
export interface Security {
  settings: SecuritySettings;
  limits: RateLimits;
  clientIp(req: IncomingMessage): string;
  /** Apollo's `parseOptions` and graphql-ws' parse: the token limit. */
  parseOptions: ParseOptions;
  /** Masks, adds the request id, drops suggestions where they are off: both transports. */
  formatError: ClientErrorFormatter;
  http: {
    /** First on the app: security headers and CORS. */
    headers: RequestHandler[];
    /** Before Apollo on /graphql: the per-IP request limit, the JSON body (size-limited), the error scope. */
    beforeGraphQL: RequestHandler[];
    /** Once per app, before it serves: what the error scope needs of the app's responses. */
    prepare(app: Express): void;
  };
  apolloPlugin: ApolloServerPlugin<RequestContext>;
  websocket: WebSocketGuard;
  /** Lets the resolvers' limits (login, sign-up, sendMessage, setTyping) know who is asking. */
  bindRequest(ctx: RequestContext, req: IncomingMessage): void;
  /** The same for a websocket operation, whose upgrade request is gone by then: by the client's address. */
  bindClient(ctx: RequestContext, ip: string): void;
  close(): Promise<void>;
}

export function createSecurity(config: Config, schema: GraphQLSchema, logger: Logger): Security {
  const settings = config.security;
  const limits = new RateLimits(settings.rateLimits, config.redisUrl, logger);
  const clientIp = clientIpResolver(settings.trustProxy);
  const guard = new OperationGuard(schema, settings, limits);
  return {
    settings,
    limits,
    clientIp,
    parseOptions: parseOptionsFor(settings.query),
    formatError: clientErrorFormatter(settings),
    http: {
      headers: securityHeaders(settings),
      beforeGraphQL: [limitRequests(limits, clientIp), ...graphqlBody(settings)],
      prepare: requestIdOnEarlyErrors,
    },
    apolloPlugin: securityApolloPlugin(guard),
    websocket: new WebSocketGuard(limits, guard, clientIp),
    bindRequest: (ctx, req) => bindRequestOrigin(ctx, { limits, ip: clientIp(req) }),
    bindClient: (ctx, ip) => bindRequestOrigin(ctx, { limits, ip }),
    close: () => limits.close(),
  };
}
