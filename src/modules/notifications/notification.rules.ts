import { NotificationKind } from './notification.enums';

/**
 * Who is told what, as a pure function of what one unit of work did (the after-change step
 * gathers the facts; the unit tests pin the rules down).
 *
 * - NEW_TICKET: staff of the ticket's department, or every agent when it has none.
 * - TICKET_ASSIGNED: the agent the ticket ends up assigned to.
 * - NEW_MESSAGE: the assignee on a customer's public message; the customer on a public agent
 *   reply. Internal notes and SYSTEM messages notify nobody.
 * - STATUS_CHANGED: the customer, when the ticket ends the unit of work in another status than it
 *   started (not in the unit that created it, and not when the customer made the last move).
 * - PRIORITY_ESCALATED: when the priority ends higher than it started, the assignee and the
 *   supervisors of the ticket's department (all supervisors when it has none or its department
 *   has no supervisor). Not the customer: priority is the team's triage, and "escalated" would
 *   read as a promise. Lowering the priority notifies nobody.
 * - SLA_BREACHED: raised by the SLA clock through `notify` / `notifyTicketStaff`.
 *
 * Never the actor of the change. At most one notification per recipient and ticket per unit of
 * work: the most specific wins (TICKET_ASSIGNED, SLA_BREACHED, PRIORITY_ESCALATED, NEW_MESSAGE,
 * STATUS_CHANGED, NEW_TICKET), so an agent handed a brand-new ticket hears "assigned", not also "new".
 */

export interface PlanTicket {
  id: string;
  number: string;
  subject: string;
  customerId: string;
  department: string | null;
  /** The user behind the ticket's assignee after the unit of work, if any. */
  assigneeUserId: string | null;
  createdInUnit: boolean;
}

export type PlanEvent =
  | { kind: 'CREATED'; ticketId: string; actorId: string | null }
  | { kind: 'ASSIGNED'; ticketId: string; actorId: string | null; agentUserId: string | null }
  | { kind: 'STATUS_CHANGED'; ticketId: string; actorId: string | null; from: string; to: string }
  | { kind: 'PRIORITY_CHANGED'; ticketId: string; actorId: string | null; from: string; to: string };

export interface PlanMessage {
  ticketId: string;
  from: 'CUSTOMER' | 'AGENT' | 'SYSTEM';
  internal: boolean;
  authorId: string | null;
  body: string;
}

export interface Directory {
  /** Active staff user ids of a department; of every department for null. */
  staff(department: string | null): readonly string[];
  /** Active supervisors' user ids of a department, falling back to all supervisors. */
  supervisors(department: string | null): readonly string[];
}

export interface PlannedNotification {
  kind: NotificationKind;
  recipientId: string;
  ticketId: string;
  title: string;
  body: string | null;
}

/** Lower wins when one recipient would get several notifications about one ticket. */
const SPECIFICITY: Record<NotificationKind, number> = {
  [NotificationKind.TICKET_ASSIGNED]: 0,
  [NotificationKind.SLA_BREACHED]: 1,
  [NotificationKind.PRIORITY_ESCALATED]: 2,
  [NotificationKind.NEW_MESSAGE]: 3,
  [NotificationKind.STATUS_CHANGED]: 4,
  [NotificationKind.NEW_TICKET]: 5,
};

const PRIORITY_RANK: Record<string, number> = { LOW: 0, NORMAL: 1, HIGH: 2, URGENT: 3 };

const STATUS_TITLES: Record<string, (number: string) => string> = {
  OPEN: (number) => `${number} is waiting for an agent`,
  IN_PROGRESS: (number) => `${number} is being worked on`,
  WAITING_ON_CUSTOMER: (number) => `${number} is waiting for your reply`,
  RESOLVED: (number) => `${number} was resolved`,
  CLOSED: (number) => `${number} was closed`,
};

const EXCERPT_LENGTH = 140;

/** A message body as a one-line preview. */
export function excerpt(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > EXCERPT_LENGTH ? `${line.slice(0, EXCERPT_LENGTH - 1)}…` : line;
}

export function planNotifications(
  tickets: ReadonlyMap<string, PlanTicket>,
  events: readonly PlanEvent[],
  messages: readonly PlanMessage[],
  directory: Directory,
): PlannedNotification[] {
  const planned: PlannedNotification[] = [];
  const add = (ticket: PlanTicket, kind: NotificationKind, recipients: readonly (string | null)[], actorId: string | null, title: string, body: string | null) => {
    for (const recipientId of new Set(recipients)) {
      if (recipientId && recipientId !== actorId) planned.push({ kind, recipientId, ticketId: ticket.id, title, body });
    }
  };
  const byTicket = new Map<string, PlanEvent[]>();
  for (const event of events) byTicket.set(event.ticketId, [...(byTicket.get(event.ticketId) ?? []), event]);

  for (const [ticketId, ticketEvents] of byTicket) {
    const ticket = tickets.get(ticketId);
    if (!ticket) continue;
    const created = ticketEvents.find((event) => event.kind === 'CREATED');
    if (created) add(ticket, NotificationKind.NEW_TICKET, directory.staff(ticket.department), created.actorId, `New ticket ${ticket.number}`, ticket.subject);

    const assigned = ticketEvents.filter((event) => event.kind === 'ASSIGNED').at(-1);
    if (assigned?.kind === 'ASSIGNED' && assigned.agentUserId) {
      add(ticket, NotificationKind.TICKET_ASSIGNED, [assigned.agentUserId], assigned.actorId, `${ticket.number} was assigned to you`, ticket.subject);
    }

    const statuses = ticketEvents.filter((event) => event.kind === 'STATUS_CHANGED');
    const [firstStatus, lastStatus] = [statuses[0], statuses.at(-1)];
    if (firstStatus?.kind === 'STATUS_CHANGED' && lastStatus?.kind === 'STATUS_CHANGED' && !ticket.createdInUnit) {
      const changed = firstStatus.from !== lastStatus.to;
      if (changed && lastStatus.actorId !== ticket.customerId) {
        const title = STATUS_TITLES[lastStatus.to]?.(ticket.number) ?? `${ticket.number} is now ${lastStatus.to}`;
        add(ticket, NotificationKind.STATUS_CHANGED, [ticket.customerId], lastStatus.actorId, title, ticket.subject);
      }
    }

    const priorities = ticketEvents.filter((event) => event.kind === 'PRIORITY_CHANGED');
    const [firstPriority, lastPriority] = [priorities[0], priorities.at(-1)];
    if (firstPriority?.kind === 'PRIORITY_CHANGED' && lastPriority?.kind === 'PRIORITY_CHANGED') {
      if ((PRIORITY_RANK[lastPriority.to] ?? 0) > (PRIORITY_RANK[firstPriority.from] ?? 0)) {
        add(
          ticket,
          NotificationKind.PRIORITY_ESCALATED,
          [ticket.assigneeUserId, ...directory.supervisors(ticket.department)],
          lastPriority.actorId,
          `${ticket.number} escalated to ${lastPriority.to}`,
          `${ticket.subject} (was ${firstPriority.from})`,
        );
      }
    }
  }

  for (const message of messages) {
    const ticket = tickets.get(message.ticketId);
    if (!ticket || message.internal) continue;
    const recipient = message.from === 'CUSTOMER' ? ticket.assigneeUserId : message.from === 'AGENT' ? ticket.customerId : null;
    add(ticket, NotificationKind.NEW_MESSAGE, [recipient], message.authorId, `New message on ${ticket.number}`, excerpt(message.body));
  }

  const best = new Map<string, PlannedNotification>();
  for (const notification of planned) {
    const key = `${notification.recipientId}|${notification.ticketId}`;
    const current = best.get(key);
    if (!current || SPECIFICITY[notification.kind] < SPECIFICITY[current.kind]) best.set(key, notification);
  }
  return [...best.values()];
}
