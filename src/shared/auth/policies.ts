import { isAdmin, isStaff, isSupervisorOrAdmin, type Viewer } from './viewer';

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

// ---------------------------------------------------------------- knowledge base

/** Published articles are public, to anyone with or without a token; drafts and archived ones are for staff. */
export function canReadArticle(viewer: Viewer | null, article: { status: string }): boolean {
  return article.status === 'PUBLISHED' || isStaff(viewer);
}

/** Published FAQs are public; unpublished ones are for staff. */
export function canReadFaq(viewer: Viewer | null, faq: { published: boolean }): boolean {
  return faq.published || isStaff(viewer);
}

/** Who may list, search and filter by unpublished knowledge-base content (drafts, archive, hidden FAQs). */
export function canSeeUnpublishedKnowledgeBase(viewer: Viewer | null): boolean {
  return isStaff(viewer);
}

/** Writing the help center (create, edit, publish, archive, reorder FAQs) is for support staff. */
export function canEditKnowledgeBase(viewer: Viewer | null): boolean {
  return isStaff(viewer);
}

/** Deleting articles and FAQs is for admins; the rest of the staff archive or unpublish instead. */
export function canDeleteKnowledgeBase(viewer: Viewer | null): boolean {
  return isAdmin(viewer);
}

/**
 * Anyone with an identity (an account or a guest session) may vote once on what they can read;
 * anonymous readers have no identity to hold their vote, so they start a guest session first.
 */
export function canVoteOnKnowledgeBase(viewer: Viewer | null): boolean {
  return !!viewer;
}

// ---------------------------------------------------------------- agents, routing, notifications

/** The team directory (agents, agent, agentStatusChanged): capacity, load and presence are staff information. */
export function canSeeAgents(viewer: Viewer | null): boolean {
  return isStaff(viewer);
}

/** Staff set their own availability (setAgentStatus); customers have none. */
export function canSetOwnAgentStatus(viewer: Viewer | null): boolean {
  return isStaff(viewer);
}

/** Everyone signed in has an inbox (customers hear about their own tickets); anonymous visitors do not. */
export function canHaveInbox(viewer: Viewer | null): boolean {
  return !!viewer;
}

/** A notification is its recipient's alone: reading it, marking it read, receiving it live. */
export function canReadNotification(viewer: Viewer | null, notification: { recipient: { id: string } }): boolean {
  return !!viewer && notification.recipient.id === viewer.userId;
}

// ---------------------------------------------------------------- channels

/** Anyone signed in (a guest from the web widget included) may upload files to send; anonymous visitors may not. */
export function canUpload(viewer: Viewer | null): boolean {
  return !!viewer;
}

/**
 * An uploaded file: until it is sent, its uploader's alone; once attached, it goes with its
 * message (the ticket's customer and staff; an internal note's files for staff only; a deleted
 * message's files for its author and admins, like its body).
 */
export function canDownloadAttachment(
  viewer: Viewer | null,
  attachment: {
    uploader: { id: string };
    message?: { internal: boolean; deletedAt?: Date | null; author?: { id: string } | null; ticket: { customer: { id: string } } } | null;
  },
): boolean {
  if (!viewer) return false;
  const message = attachment.message;
  if (!message) return attachment.uploader.id === viewer.userId;
  if (!canReadTicket(viewer, message.ticket)) return false;
  if (message.internal && !canSeeInternalNotes(viewer)) return false;
  if (message.deletedAt) return isAdmin(viewer) || message.author?.id === viewer.userId;
  return true;
}

// ---------------------------------------------------------------- dashboard and SLAs

/** The dashboard, the live chart and dashboardUpdated (volumes, times, SLA health, who is online): staff. */
export function canSeeSupportStatistics(viewer: Viewer | null): boolean {
  return isStaff(viewer);
}

/**
 * One agent's own figures (agentPerformance, a dashboard filtered by agent): supervisors and admins
 * see every agent's; an agent sees their own; customers none. `agent` is the agent asked about.
 */
export function canSeeAgentStatistics(viewer: Viewer | null, agent: { user: { id: string } }): boolean {
  if (!isStaff(viewer)) return false;
  return isSupervisorOrAdmin(viewer) || agent.user.id === viewer!.userId;
}

/** agentPerformance over the whole team (no agentId): supervisors and admins. */
export function canSeeTeamPerformance(viewer: Viewer | null): boolean {
  return isSupervisorOrAdmin(viewer);
}
