import { ChangeSetType, Reference, wrap, type EventSubscriber, type FlushEventArgs } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { enqueueJob, type JobHandler, type JobSpec } from '../../../infra/outbox/jobs';
import type { AppServices } from '../../../server/context';
import { Notification } from '../../notifications/notification.entity';
import { NotificationKind } from '../../notifications/notification.enums';
import type { Ticket } from '../../tickets/ticket.entity';
import { renderMail, type MailTemplate } from './email.templates';
import type { Mailer } from './mailer';

export const SEND_NOTIFICATION_MAIL = 'mail.notification';

interface MailPayload {
  notificationId: string;
  /** The ticket's status when the notification was stored (the e-mail tells that one, not a later one). */
  status: string | null;
}

/**
 * Which stored notifications also go out by e-mail, and as which template. Staff hear of new
 * tickets and of tickets assigned to them; customers of status changes (resolved has its own
 * e-mail) and of replies. Other kinds (escalations, SLA breaches) stay in the inbox.
 */
export function templateFor(kind: NotificationKind, status: string, recipientIsCustomer: boolean): MailTemplate | null {
  switch (kind) {
    case NotificationKind.NEW_TICKET:
      return recipientIsCustomer ? null : 'NEW_TICKET';
    case NotificationKind.TICKET_ASSIGNED:
      return recipientIsCustomer ? null : 'TICKET_ASSIGNED';
    case NotificationKind.STATUS_CHANGED:
      return recipientIsCustomer ? (status === 'RESOLVED' ? 'TICKET_RESOLVED' : 'STATUS_CHANGED') : null;
    case NotificationKind.NEW_MESSAGE:
      return recipientIsCustomer ? 'NEW_REPLY' : null;
    default:
      return null;
  }
}

const MAILED_KINDS = new Set([NotificationKind.NEW_TICKET, NotificationKind.TICKET_ASSIGNED, NotificationKind.STATUS_CHANGED, NotificationKind.NEW_MESSAGE]);

/**
 * Hooks e-mail onto the notifications module without it knowing: whenever a flush stores
 * notifications of a kind that mails, one mail job per notification is queued in the same
 * transaction (notifications are written inside the ticket's unit of work, so the e-mail exists
 * exactly when the notification does).
 */
export class NotificationMailSubscriber implements EventSubscriber {
  async onFlush({ em, uow }: FlushEventArgs): Promise<void> {
    const jobs: JobSpec[] = [];
    for (const changeSet of uow.getChangeSets()) {
      if (changeSet.type !== ChangeSetType.CREATE || !(changeSet.entity instanceof Notification)) continue;
      const notification = changeSet.entity;
      if (!MAILED_KINDS.has(notification.kind)) continue;
      const ticket = loadedTicket(notification);
      // Usually known here: no job for what will never mail (a customer's message notifying the agent).
      if (ticket && !templateFor(notification.kind, ticket.status, notification.recipient.id === ticket.customer.id)) continue;
      jobs.push({
        kind: SEND_NOTIFICATION_MAIL,
        payload: { notificationId: notification.id, status: ticket?.status ?? null } satisfies MailPayload,
        dedupeKey: `mail:${notification.id}`,
      });
    }
    for (const job of jobs) await enqueueJob(em as EntityManager, job);
  }
}

function loadedTicket(notification: Notification): Ticket | null {
  if (!notification.ticket) return null;
  const ticket = Reference.unwrapReference(notification.ticket) as Ticket;
  return wrap(ticket).isInitialized() ? ticket : null;
}

/**
 * Sends the e-mail for one notification: to its recipient, if still active and with an address;
 * a reply only when the customer is not looking at the ticket right now (they saw it arrive).
 */
export function notificationMailHandler(app: AppServices, mailer: Mailer): JobHandler<MailPayload> {
  const domain = /@([^>\s]+)>?\s*$/.exec(app.config.mail.from)?.[1] ?? 'parley.invalid';
  return {
    kind: SEND_NOTIFICATION_MAIL,
    async run(job) {
      const em = app.orm.em.fork() as EntityManager;
      const notification = await em.findOne(Notification, { id: job.payload.notificationId }, { populate: ['recipient', 'ticket', 'ticket.customer'] });
      if (!notification?.ticket) return;
      const recipient = notification.recipient.getEntity();
      const ticket = notification.ticket.getEntity();
      const customer = ticket.customer.getEntity();
      if (!recipient.active || !recipient.email) return;
      const status = job.payload.status ?? ticket.status;
      const template = templateFor(notification.kind, status, recipient.id === customer.id);
      if (!template) return;
      if (template === 'NEW_REPLY' && (await isViewingTicket(app, ticket.id, recipient.id))) return;
      const rendered = renderMail(template, {
        recipientName: recipient.name,
        ticket: { number: ticket.number, subject: ticket.subject, status, priority: ticket.priority, channel: ticket.channel, description: ticket.description },
        customerName: customer.name,
        excerpt: notification.body,
        link: app.config.webUrl ? `${app.config.webUrl}/tickets/${encodeURIComponent(ticket.number)}` : null,
      });
      await mailer.send({ to: { name: recipient.name, address: recipient.email }, ...rendered, messageId: `<${notification.id}@${domain}>` });
    },
  };
}

/**
 * Whether `userId` has the ticket open right now on any instance: a live presence subscription,
 * as the realtime module tracks it (read only). When presence cannot be read, the answer is no:
 * better an e-mail too many than a reply nobody hears of.
 */
export async function isViewingTicket(app: AppServices, ticketId: string, userId: string): Promise<boolean> {
  try {
    return (await app.realtime.presence.viewers(ticketId)).includes(userId);
  } catch {
    return false;
  }
}
