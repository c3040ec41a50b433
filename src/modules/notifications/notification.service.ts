import type { EntityManager } from '@mikro-orm/postgresql';
import type { RequestContext } from '../../server/context';
import { requireViewer } from '../../shared/auth/guards';
import { canHaveInbox, canReadNotification, canReadTicket } from '../../shared/auth/policies';
import type { Viewer } from '../../shared/auth/viewer';
import { notFound, unauthenticated } from '../../shared/errors';
import type { Outbox } from '../../shared/events/transaction';
import { transactionWithEvents } from '../../shared/events/transaction';
import { isIdOf } from '../../shared/ids';
import { lazy } from '../../shared/pagination/connection';
import { paginate } from '../../shared/pagination/paginate';
import { Role } from '../../shared/roles';
import { User } from '../accounts/user.entity';
import { Agent } from '../agents/agent.entity';
import { Ticket } from '../tickets/ticket.entity';
import { ticketById } from '../tickets/ticket.loaders';
import { Notification } from './notification.entity';
import type { NotificationKind } from './notification.enums';
import type { NotificationsArgs } from './notification.inputs';
import type { NotificationConnectionShape } from './notification.payloads';

const NOTIFICATION = 'Notification';

/** Where notifications are written: the caller's transaction, whose outbox is published after the commit. */
export interface NotifyTarget {
  em: EntityManager;
  outbox: Outbox;
}

export interface NotificationDraft {
  kind: NotificationKind;
  recipientId: string;
  ticket?: Ticket | null;
  title: string;
  body?: string | null;
}

/**
 * Stores one notification per draft in the caller's transaction (flushed with it) and queues
 * notificationAdded for each recipient, published only once that transaction commits. The actor
 * of the change (`actorId`) is never notified of it.
 *
 * For other modules, e.g. the SLA clock: `notify(work, drafts)` inside `ticketTransaction`, or
 * `notifyTicketStaff(work, ticket, NotificationKind.SLA_BREACHED, { title, body })`.
 */
export function notify(target: NotifyTarget, drafts: readonly NotificationDraft[], actorId: string | null = null): Notification[] {
  const { em, outbox } = target;
  return drafts
    .filter((draft) => draft.recipientId !== actorId)
    .map((draft) => {
      const notification = em.create(Notification, {
        recipient: em.getReference(User, draft.recipientId),
        kind: draft.kind,
        title: draft.title,
        body: draft.body ?? null,
        ticket: draft.ticket ?? null,
      });
      outbox.push({ type: 'NOTIFICATION_ADDED', userId: draft.recipientId, notificationId: notification.id });
      return notification;
    });
}

/** Active supervisors' user ids: of `department` when it has any, else all of them. */
export async function supervisorIds(em: EntityManager, department: string | null): Promise<string[]> {
  const all = await em.find(Agent, { active: true, user: { role: Role.SUPERVISOR } });
  const own = department == null ? [] : all.filter((agent) => agent.department === department);
  return (own.length ? own : all).map((agent) => agent.user.id);
}

/** The people who answer for a ticket: its assignee and the supervisors (see `supervisorIds`). */
export async function ticketStaffIds(em: EntityManager, ticket: Ticket): Promise<string[]> {
  const assignee = ticket.assignee ? await em.findOne(Agent, { id: ticket.assignee.id }) : null;
  return [...new Set([...(assignee ? [assignee.user.id] : []), ...(await supervisorIds(em, ticket.department ?? null))])];
}

/** Notifies a ticket's assignee and supervisors (PRIORITY_ESCALATED, SLA_BREACHED) in the caller's transaction. */
export async function notifyTicketStaff(
  target: NotifyTarget,
  ticket: Ticket,
  kind: NotificationKind,
  text: { title: string; body?: string | null },
  actorId: string | null = null,
): Promise<Notification[]> {
  const recipients = await ticketStaffIds(target.em, ticket);
  return notify(target, recipients.map((recipientId) => ({ kind, recipientId, ticket, ...text })), actorId);
}

function requireInbox(ctx: RequestContext): Viewer {
  const viewer = requireViewer(ctx);
  if (!canHaveInbox(viewer)) throw unauthenticated();
  return viewer;
}

/** `notifications`: the viewer's own, newest first, optionally unread only; `unreadCount` is counted only when asked for. */
export async function listNotifications(ctx: RequestContext, args: NotificationsArgs): Promise<NotificationConnectionShape> {
  const viewer = requireInbox(ctx);
  const where = { recipient: viewer.userId, ...(args.unreadOnly ? { readAt: null } : {}) };
  const page = await paginate(ctx.em, Notification, where, args, [{ createdAt: 'desc' }, { id: 'desc' }]);
  return { ...page, unreadCount: lazy(() => ctx.em.fork().count(Notification, { recipient: viewer.userId, readAt: null })) };
}

/** The viewer's own notification, or NOT_FOUND (someone else's looks like none at all). */
async function findOwnNotification(ctx: RequestContext, em: EntityManager, id: string): Promise<Notification> {
  const viewer = requireInbox(ctx);
  const notification = isIdOf(id, 'Notification') ? await em.findOne(Notification, { id }) : null;
  if (!notification || !canReadNotification(viewer, notification)) throw notFound(NOTIFICATION);
  return notification;
}

/** Marks one of the viewer's notifications read; marking it again keeps the first `readAt`. */
export async function markNotificationRead(ctx: RequestContext, id: string): Promise<Notification> {
  const notification = await findOwnNotification(ctx, ctx.em, id);
  if (!notification.readAt) {
    notification.readAt = new Date();
    await ctx.em.flush();
  }
  return notification;
}

/** Marks every unread notification of the viewer read; returns how many were unread. */
export async function markAllNotificationsRead(ctx: RequestContext): Promise<number> {
  const viewer = requireInbox(ctx);
  return transactionWithEvents(ctx, (em) => em.nativeUpdate(Notification, { recipient: viewer.userId, readAt: null }, { readAt: new Date() }));
}

/** For `node(id)`: null rather than an error. */
export async function findNotificationForNode(ctx: RequestContext, id: string): Promise<Notification | null> {
  return ctx.viewer ? findOwnNotification(ctx, ctx.em, id).catch(() => null) : null;
}

/**
 * `Notification.ticket`: the ticket, if the viewer may (still) read it; a notification outlives
 * the access it was written under (a demoted agent keeps their inbox, not the tickets).
 */
export async function notificationTicket(ctx: RequestContext, notification: Notification): Promise<Ticket | null> {
  if (!notification.ticket) return null;
  const ticket = await ctx.loaders.get(ticketById).load(notification.ticket.id);
  return ticket && canReadTicket(ctx.viewer, ticket) ? ticket : null;
}

/** notificationAdded: loads the notification an event names, if it is still the viewer's. */
export async function ownNotificationForEvent(ctx: RequestContext, notificationId: string): Promise<Notification | null> {
  if (!ctx.viewer) return null;
  const notification = await ctx.em.findOne(Notification, { id: notificationId });
  return notification && canReadNotification(ctx.viewer, notification) ? notification : null;
}
