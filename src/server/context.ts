import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import type { Config } from '../config';
import type { Orm } from '../infra/orm';
import type { PubSub } from '../infra/pubsub';
import { AccessTokens } from '../shared/auth/tokens';
import type { Viewer } from '../shared/auth/viewer';
import { EventPublisher } from '../shared/events/publisher';
import { Loaders } from '../shared/loaders/registry';
import { Realtime, type ConnectionHandle } from '../modules/realtime/realtime';
import type { RealtimeLimits } from '../modules/realtime/realtime.limits';

/** What lives as long as the process: built once in `createApp`. */
export interface AppServices {
  config: Config;
  orm: Orm;
  pubsub: PubSub;
  events: EventPublisher;
  tokens: AccessTokens;
  logger: Logger;
  /** Subscriptions' shared state on this instance: presence, typing, counters. */
  realtime: Realtime;
}

/**
 * One per HTTP request (and one per websocket event): its own EntityManager fork, its own
 * loaders, and the viewer proven by the access token.
 */
export interface RequestContext {
  requestId: string;
  em: EntityManager;
  viewer: Viewer | null;
  loaders: Loaders;
  app: AppServices;
  logger: Logger;
  /** The websocket an operation arrived on; absent over HTTP. */
  connection?: ConnectionHandle;
}

export function createRequestContext(app: AppServices, viewer: Viewer | null, requestId: string = randomUUID()): RequestContext {
  const ctx = {
    requestId,
    em: app.orm.em.fork() as EntityManager,
    viewer,
    app,
    logger: app.logger.child({ requestId }),
  } as RequestContext;
  ctx.loaders = new Loaders(ctx);
  return ctx;
}

export function createAppServices(config: Config, orm: Orm, pubsub: PubSub, logger: Logger, realtime: Partial<RealtimeLimits> = {}): AppServices {
  const services = {
    config,
    orm,
    pubsub,
    events: new EventPublisher(pubsub, logger),
    tokens: new AccessTokens(config.jwtSecret, config.accessTokenTtlSeconds),
    logger,
  } as AppServices;
  services.realtime = new Realtime(services, realtime);
  return services;
}
