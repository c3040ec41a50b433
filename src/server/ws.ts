import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { GraphQLError, specifiedRules, type ExecutionResult, type FormattedExecutionResult, type GraphQLSchema } from 'graphql';
import { CloseCode, type Context } from 'graphql-ws';
import { useServer, type Extra } from 'graphql-ws/use/ws';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Unsubscribe } from '../infra/pubsub';
import type { Viewer } from '../shared/auth/viewer';
import { channels, type SessionStreamEvent } from '../shared/events/topics';
import { authenticate } from './authenticate';
import { LiveContext } from '../modules/realtime/live-context';
import type { AppServices } from './context';
import { DocumentCache } from './document-cache';
import type { Security } from './security';
import { validationRulesFor } from './validation-rules';

export interface WebSocketServerHandle {
  /** Closes every socket (1001, going away) and stops accepting new ones. */
  dispose(): Promise<void>;
}

/** What Parley keeps per socket beside graphql-ws' own `socket`; set in onConnect. */
export interface SocketState {
  socketId: string;
  /** The client's address, as the upgrade request gave it (the request itself is let go, see onConnect). */
  ip: string;
  viewer: Viewer | null;
  /** Undoes everything set up for the socket: timers, the session listener, the counters. */
  cleanups: (() => void)[];
  /** Operations running on the socket, each with its counter's undo. */
  operations: Map<string, () => void>;
}

type ConnectionParams = Record<string, unknown> | undefined;
type SocketContext = Context<ConnectionParams, Extra & { parley?: SocketState }>;

/** The socket's state; operations only run after onConnect has set it. */
function stateOf(ctx: SocketContext): SocketState {
  if (!ctx.extra.parley) throw new Error('websocket operation before connection_init');
  return ctx.extra.parley;
}

/** graphql-ws clients put the token in connectionParams; the explorer sends it as a header-like field. */
function authorizationFrom(params: ConnectionParams): unknown {
  if (!params) return undefined;
  const headers = params.headers as Record<string, unknown> | undefined;
  return params.authorization ?? params.Authorization ?? headers?.authorization ?? headers?.Authorization;
}

/** 4403: graphql-ws clients retry it (4401 would make them give up), so they reconnect with a refreshed token. */
const reauthenticate = (socket: WebSocket, reason: string) => socket.close(CloseCode.Forbidden, reason);

/**
 * Closes the socket when its access token expires or its session is revoked (logout, refresh-token
 * reuse, deactivation), on whichever instance the revocation happened.
 */
function guardSession(services: AppServices, socket: WebSocket, viewer: Viewer): () => void {
  const timer = setTimeout(() => reauthenticate(socket, 'Token expired'), Math.max(0, viewer.expiresAt * 1000 - Date.now()));
  let release: Unsubscribe | undefined;
  let ended = false;
  // Not awaited: the ack must not wait for Redis; each event re-checks the session anyway.
  services.pubsub
    .listen<SessionStreamEvent>(channels.session(viewer.sessionId), () => reauthenticate(socket, 'Session ended'))
    .then((unsubscribe) => (ended ? unsubscribe() : (release = unsubscribe)))
    .catch((error) => services.logger.warn({ err: error }, 'could not watch the session of a websocket'));
  return () => {
    ended = true;
    clearTimeout(timer);
    release?.();
  };
}

/**
 * graphql-ws on the HTTP server's own port and path, with the HTTP path's protections: errors are
 * masked the same way, documents are validated with the same extra rules, frames are capped, each
 * socket runs a bounded number of operations, and a consumer that stops reading is dropped before
 * its backlog grows without bound. Authentication happens in `onConnect`; a bad token closes with
 * 4403, and so do an expiring token and a revoked session while connected.
 */
export function createWebSocketServer(httpServer: Server, schema: GraphQLSchema, services: AppServices, security: Security): WebSocketServerHandle {
  const { realtime, logger } = services;
  const { limits } = realtime;
  // verifyClient: connections per IP are limited at the upgrade, before a socket exists.
  const wss = new WebSocketServer({ server: httpServer, path: '/graphql', maxPayload: limits.maxPayloadBytes, verifyClient: security.websocket.verifyClient });
  const documents = new DocumentCache(schema, [...specifiedRules, ...validationRulesFor(services.config)], security.parseOptions);
  const requestIdOf = (ctx: SocketContext, id: string) => `${ctx.extra.parley?.socketId ?? 'ws'}:${id}`;
  const mask = (ctx: SocketContext, id: string, errors: readonly unknown[]) =>
    errors.map((error) =>
      security.formatError(error, {
        requestId: requestIdOf(ctx, id),
        // Writes failing on a socket already dropped are no news worth an error log. The line
        // carries the operation's request id, as the client's error does.
        logger: ctx.extra.socket.readyState === ctx.extra.socket.OPEN ? logger.child({ requestId: requestIdOf(ctx, id) }) : undefined,
      }),
    );
  /** A result with its errors masked; undefined when it has none (graphql-ws' onNext: send it as it is). */
  const masked = (ctx: SocketContext, id: string, result: ExecutionResult): FormattedExecutionResult | undefined =>
    result.errors ? { ...result, errors: mask(ctx, id, result.errors) } : undefined;

  // Frames written straight to the socket (sendNext) do not wait for the write, and graphql-ws'
  // own wait for each frame covers one operation only: a consumer that stops reading shows as
  // frames piling up in the socket, and is dropped before they grow without bound.
  const dropIfNotReading = (ctx: SocketContext) => {
    if (ctx.extra.socket.bufferedAmount > limits.maxBufferedBytes) {
      logger.warn({ socketId: ctx.extra.parley?.socketId, buffered: ctx.extra.socket.bufferedAmount }, 'dropping websocket that stopped reading');
      ctx.extra.socket.terminate();
    }
  };

  const handle = useServer<ConnectionParams, { parley?: SocketState }>(
    {
      schema,
      // Values shared by many subscribers (messageAdded's pages) are executed once per view.
      subscribe: (args) => realtime.results.subscribe(args),
      onConnect: async (ctx: SocketContext) => {
        const state: SocketState = { socketId: randomUUID(), ip: security.clientIp(ctx.extra.request), viewer: null, cleanups: [realtime.socketOpened()], operations: new Map() };
        ctx.extra.parley = state;
        const authorization = authorizationFrom(ctx.connectionParams);
        // Nothing after this needs the upgrade request (every header) or connection_init's payload
        // (the token), and graphql-ws would keep both for the socket's whole life: about 1.3 KB of an
        // idle subscriber's 17.
        (ctx.extra as { request?: unknown }).request = undefined;
        (ctx as { connectionParams?: unknown }).connectionParams = undefined;
        // Checked as now, but in one statement with the other sockets connecting in the same turn of the event loop.
        const viewer = await authenticate(services, authorization, (claims) => realtime.viewers.checkNow(claims)).catch((error: unknown) => {
          logger.error({ err: error, socketId: state.socketId }, 'could not authenticate a websocket');
          // Closed here rather than thrown: graphql-ws would use the error's message as the close
          // reason outside production (the session query's SQL) and print it to the console.
          ctx.extra.socket.close(CloseCode.InternalServerError, 'Internal server error');
          return 'failed' as const;
        });
        if (viewer === 'failed') return false;
        if (viewer === 'invalid') return false; // graphql-ws closes with 4403 Forbidden
        // Closed while the token was checked (e.g. a subscribe before the ack: 4401). onClose has run
        // already, so a session guard or presence set up now would never be undone.
        if (ctx.extra.socket.readyState !== ctx.extra.socket.OPEN) return false;
        state.viewer = viewer;
        if (viewer) state.cleanups.push(guardSession(services, ctx.extra.socket, viewer), realtime.socketSignedIn(viewer));
        return true;
      },
      connectionInitWaitTimeout: security.settings.wsConnectionInitTimeoutMs,
      onSubscribe: async (ctx: SocketContext, id, payload) => {
        if (Object.keys(ctx.subscriptions).length > limits.maxSubscriptionsPerSocket) {
          return [new GraphQLError(`At most ${limits.maxSubscriptionsPerSocket} operations may run on one connection.`, { extensions: { code: 'RATE_LIMITED' } })];
        }
        const state = stateOf(ctx);
        const viewer = state.viewer;
        if (viewer && viewer.expiresAt * 1000 <= Date.now()) {
          reauthenticate(ctx.extra.socket, 'Token expired');
          return [new GraphQLError('Your token has expired.', { extensions: { code: 'UNAUTHENTICATED' } })];
        }
        const { document, errors } = documents.check(payload.query);
        if (errors) return errors;
        // The same introspection rule, cost limit and budgets as HTTP, plus the socket's own rate.
        const refused = await security.websocket.admit({
          socketId: state.socketId,
          ip: state.ip,
          document,
          operationName: payload.operationName,
          variables: payload.variables,
          viewer,
        });
        if (refused) return refused;
        state.operations.set(id, realtime.operationStarted());
        return { schema, document, operationName: payload.operationName, variableValues: payload.variables };
      },
      context: (ctx: SocketContext, id) => {
        const state = stateOf(ctx);
        // Its EntityManager, loaders and logger are made when used (see LiveContext).
        const requestContext = new LiveContext(services, state.viewer, requestIdOf(ctx, id));
        security.bindClient(requestContext, state.ip);
        // graphql-ws' own `next` frame, with the operation id serialized once.
        const nextFrame = `{"id":${JSON.stringify(id)},"type":"next","payload":`;
        requestContext.connection = {
          terminate: (reason) => {
            logger.warn({ socketId: state.socketId, reason }, 'dropping websocket');
            ctx.extra.socket.terminate();
          },
          sendNext: (result, payload) => {
            const socket = ctx.extra.socket;
            if (socket.readyState !== socket.OPEN) return;
            const json = payload ?? JSON.stringify(masked(ctx, id, result) ?? result);
            socket.send(`${nextFrame}${json}}`);
            dropIfNotReading(ctx);
          },
        };
        return requestContext;
      },
      onNext: (ctx: SocketContext, id, _payload, _args, result) => {
        dropIfNotReading(ctx);
        return masked(ctx, id, result);
      },
      onError: (ctx: SocketContext, id, _payload, errors) => mask(ctx, id, errors),
      onComplete: (ctx: SocketContext, id) => {
        const operations = ctx.extra.parley?.operations;
        operations?.get(id)?.();
        operations?.delete(id);
      },
      onClose: (ctx: SocketContext) => {
        // Runs after graphql-ws has ended every operation of the socket.
        const state = ctx.extra.parley;
        for (const done of state?.operations.values() ?? []) done();
        for (const cleanup of state?.cleanups ?? []) cleanup();
      },
    },
    wss,
    limits.keepAliveMs,
  );
  // ws reports a client's protocol violations (an oversized frame: 1009) as socket errors and
  // closes the socket itself; graphql-ws would print them with console.error as if they were ours.
  wss.on('connection', (socket) => {
    socket.removeAllListeners('error');
    socket.on('error', (error) => logger.info({ err: error }, 'websocket closed on a client error'));
  });
  return {
    dispose: async () => {
      for (const client of wss.clients) client.close(1001, 'Server shutting down');
      await handle.dispose();
    },
  };
}
