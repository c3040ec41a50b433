import type { Role } from '../roles';

/** Who is asking: decoded from a verified access token, never from client-supplied fields. */
export interface Viewer {
  userId: string;
  role: Role;
  /** The refresh-token family this access token belongs to: logout ends it. */
  sessionId: string;
  /** Seconds since the epoch at which the access token stops being valid. */
  expiresAt: number;
}

export const isStaffRole = (role: Role) => role === 'AGENT' || role === 'SUPERVISOR' || role === 'ADMIN';
export const isStaff = (viewer: Viewer | null | undefined): boolean => !!viewer && isStaffRole(viewer.role);
export const isAdmin = (viewer: Viewer | null | undefined): boolean => !!viewer && viewer.role === 'ADMIN';
export const isSupervisorOrAdmin = (viewer: Viewer | null | undefined): boolean =>
  !!viewer && (viewer.role === 'SUPERVISOR' || viewer.role === 'ADMIN');
