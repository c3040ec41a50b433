import { isAdmin, isStaff, type Viewer } from './viewer';

/**
 * Every authorization rule, decided here once and named for what it protects. Queries,
 * mutations, field resolvers and subscriptions all call these; the tests exercise them as a matrix.
 */

/** Staff see everyone; a customer sees themself and staff (whose names appear in their tickets). */
export function canSeeUser(viewer: Viewer | null, user: { id: string; role: string }): boolean {
  if (!viewer) return false;
  return isStaff(viewer) || viewer.userId === user.id || user.role !== 'CUSTOMER';
}

/** Staff see every ticket; a customer sees only their own. */
export function canReadTicket(viewer: Viewer | null, ticket: { customer: { id: string } }): boolean {
  if (!viewer) return false;
  return isStaff(viewer) || ticket.customer.id === viewer.userId;
}

/** Internal notes are for staff only. */
export function canSeeInternalNotes(viewer: Viewer | null): boolean {
  return isStaff(viewer);
}

/** E-mail addresses are shown to staff and to the user themself, never to other customers. */
export function canSeeEmail(viewer: Viewer | null, userId: string): boolean {
  return !!viewer && (isStaff(viewer) || viewer.userId === userId);
}

/** Assigning, changing priority, bulk updates, department and category: staff only. */
export function canManageTickets(viewer: Viewer | null): boolean {
  return isStaff(viewer);
}

/** Staff may set any status; customers may only resolve, close or reopen their own ticket. */
export function canSetTicketStatus(viewer: Viewer | null, ticket: { customer: { id: string } }, to: string): boolean {
  if (!viewer || !canReadTicket(viewer, ticket)) return false;
  if (isStaff(viewer)) return true;
  return to === 'RESOLVED' || to === 'CLOSED' || to === 'OPEN';
}

/** The ticket's customer may edit its subject and tags; staff may edit everything. */
export function canEditTicket(viewer: Viewer | null, ticket: { customer: { id: string } }): boolean {
  return canReadTicket(viewer, ticket);
}

/** Only the ticket's own customer rates it. */
export function canRateTicket(viewer: Viewer | null, ticket: { customer: { id: string } }): boolean {
  return !!viewer && ticket.customer.id === viewer.userId;
}

/** Editing is the author's, within the edit window. */
export const MESSAGE_EDIT_WINDOW_MS = 5 * 60 * 1000;
export function canEditMessage(viewer: Viewer | null, message: { author?: { id: string } | null }): boolean {
  return !!viewer && !!message.author && message.author.id === viewer.userId;
}

/** Deleting is the author's or an admin's. */
export function canDeleteMessage(viewer: Viewer | null, message: { author?: { id: string } | null }): boolean {
  return !!viewer && (isAdmin(viewer) || (!!message.author && message.author.id === viewer.userId));
}

/** Managing staff accounts is for admins. */
export function canManageAgents(viewer: Viewer | null): boolean {
  return isAdmin(viewer);
}
