import type { AppServices } from '../../server/context';

/**
 * Routing skips a candidate or a queued ticket that another transaction holds, rather than
 * waiting for it. When that may have left a ticket waiting beside free capacity, it asks for a
 * retry; the presence sweep (agents module) runs it shortly after, on whichever instance sweeps.
 */
const handlers = new WeakMap<AppServices, () => void>();

export function onRoutingRetryRequested(app: AppServices, handler: () => void): void {
  handlers.set(app, handler);
}

export function requestRoutingRetry(app: AppServices): void {
  handlers.get(app)?.();
}
