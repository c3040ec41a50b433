import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import type { AppServices, RequestContext } from '../../server/context';
import type { Viewer } from '../../shared/auth/viewer';
import { Loaders } from '../../shared/loaders/registry';
import type { ConnectionHandle } from './realtime';

/**
 * The context of one websocket operation, which lives as long as the subscription. Its
 * EntityManager, loaders and logger are made on first use and dropped after each event: most
 * events of messageAdded never touch the EntityManager (the page is shared, the authors primed),
 * and an idle subscriber should hold none of them. Between events (`idle`) the EntityManager is
 * the global one, which refuses every use (allowGlobalContext is off), so a stray use fails loudly
 * instead of keeping a fork alive.
 */
export class LiveContext implements RequestContext {
  connection?: ConnectionHandle;
  private forked?: EntityManager;
  private ownLoaders?: Loaders;
  private ownLogger?: Logger;
  private idle = false;

  constructor(
    readonly app: AppServices,
    public viewer: Viewer | null,
    readonly requestId: string,
  ) {}

  get em(): EntityManager {
    if (this.idle) return this.app.orm.em as EntityManager;
    return (this.forked ??= this.app.orm.em.fork() as EntityManager);
  }

  set em(em: EntityManager) {
    this.idle = false;
    this.forked = em;
  }

  get loaders(): Loaders {
    return (this.ownLoaders ??= new Loaders(this));
  }

  set loaders(loaders: Loaders) {
    this.ownLoaders = loaders;
  }

  get logger(): Logger {
    return (this.ownLogger ??= this.app.logger.child({ requestId: this.requestId }));
  }

  set logger(logger: Logger) {
    this.ownLogger = logger;
  }

  /** A new event: a fresh EntityManager and fresh loaders, made when first used. */
  renew(): void {
    this.idle = false;
    this.forked = undefined;
    this.ownLoaders = undefined;
  }

  /** Waiting for the next event: nothing of the last one is kept. */
  release(): void {
    this.idle = true;
    this.forked = undefined;
    this.ownLoaders = undefined;
  }
}
