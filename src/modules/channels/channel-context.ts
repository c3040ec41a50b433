import { randomUUID } from 'node:crypto';
import { createRequestContext, type AppServices, type RequestContext } from '../../server/context';
import type { Viewer } from '../../shared/auth/viewer';
import type { Role } from '../../shared/roles';

/**
 * A request context for work no signed-in request carries: a verified webhook acting for the
 * customer who wrote, or a job acting for nobody (`actor` null, e.g. SYSTEM messages). The
 * services then apply their usual rules (a customer reaches only their own tickets), publish after
 * commit and run the ticket lifecycle exactly as for the web.
 *
 * The viewer is built on the server from an identity we have verified ourselves (a signed
 * Messenger delivery), never from client input; it has no session, so nothing can revoke it and it
 * lives only as long as this one unit of work.
 */
export function channelContext(app: AppServices, actor: { id: string; role: Role } | null, source: string): RequestContext {
  return createRequestContext(app, actor ? channelViewer(actor, source) : null, `${source}-${randomUUID()}`);
}

/** The viewer of `channelContext`, for services that take a viewer rather than a context. */
export function channelViewer(actor: { id: string; role: Role }, source: string): Viewer {
  return { userId: actor.id, role: actor.role, sessionId: `channel:${source}`, expiresAt: Number.MAX_SAFE_INTEGER };
}
