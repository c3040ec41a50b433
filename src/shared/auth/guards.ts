import type { RequestContext } from '../../server/context';
import { forbidden, unauthenticated } from '../errors';
import { isAdmin, isStaff, type Viewer } from './viewer';

/** The viewer, or UNAUTHENTICATED. */
export function requireViewer(ctx: RequestContext): Viewer {
  if (!ctx.viewer) throw unauthenticated();
  return ctx.viewer;
}

/** Staff (agent, supervisor, admin), or UNAUTHENTICATED / FORBIDDEN. */
export function requireStaff(ctx: RequestContext): Viewer {
  const viewer = requireViewer(ctx);
  if (!isStaff(viewer)) throw forbidden('Only support staff may do this.');
  return viewer;
}

/** An admin, or UNAUTHENTICATED / FORBIDDEN. */
export function requireAdmin(ctx: RequestContext): Viewer {
  const viewer = requireViewer(ctx);
  if (!isAdmin(viewer)) throw forbidden('Only admins may do this.');
  return viewer;
}
