import type { Server } from 'node:http';
import { GraphQLError, type ExecutionResult, type GraphQLSchema } from 'graphql';
import { CloseCode } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { Viewer } from '../shared/auth/viewer';
import { formatClientError } from '../shared/errors';
import { authenticate } from './authenticate';
import { createRequestContext, type AppServices } from './context';

export interface WebSocketServerHandle {
  /** Closes every socket (1001, going away) and stops accepting new ones. */
  dispose(): Promise<void>;
}

/** What graphql-ws keeps per socket beside its own `socket` and `request`. */
export type SocketState = { viewer: Viewer | null };

/** graphql-ws clients put the token in connectionParams; the explorer sends it as a header-like field. */
function authorizationFrom(params: Record<string, unknown> | undefined): unknown {
  if (!params) return undefined;
  const headers = params.headers as Record<string, unknown> | undefined;
  return params.authorization ?? params.Authorization ?? headers?.authorization ?? headers?.Authorization;
}

/**
 * graphql-ws on the HTTP server's own port and path. Authentication happens once in `onConnect`;
 * every operation then gets its own request context. A bad token closes with 4403 (Forbidden),
 * which graphql-ws clients treat as retryable, so they reconnect with a refreshed token.
 */
export function createWebSocketServer(httpServer: Server, schema: GraphQLSchema, services: AppServices): WebSocketServerHandle {
  const wss = new WebSocketServer({ server: httpServer, path: '/graphql', maxPayload: 64 * 1024 });
  const handle = useServer<Record<string, unknown> | undefined, SocketState>(
    {
      schema,
      onConnect: async (ctx) => {
        const viewer = await authenticate(services, authorizationFrom(ctx.connectionParams));
        if (viewer === 'invalid') {
          ctx.extra.socket.close(CloseCode.Forbidden, 'Forbidden');
          return false;
        }
        ctx.extra.viewer = viewer;
        return true;
      },
      context: (ctx, id) => createRequestContext(services, ctx.extra.viewer ?? null, `ws-${id}`),
      onNext: (_ctx, _id, _payload, _args, result: ExecutionResult) =>
        result.errors ? { ...result, errors: result.errors.map((error) => formatClientError(error, { logger: services.logger }) as GraphQLError) } : result,
      onError: (_ctx, _id, _payload, errors) => errors.map((error) => formatClientError(error, { logger: services.logger }) as GraphQLError),
    },
    wss,
  );
  return {
    dispose: async () => {
      for (const client of wss.clients) client.close(1001, 'Server shutting down');
      await handle.dispose();
    },
  };
}
