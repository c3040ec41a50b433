import type { EntityManager } from '@mikro-orm/postgresql';
import { Role } from '../../shared/roles';
import { Agent } from '../agents/agent.entity';
import type { Ticket } from '../tickets/ticket.entity';
import { TicketEventKind } from '../tickets/ticket.enums';
import type { AfterChangeContext, TicketChanges } from '../tickets/ticket.lifecycle';
import { notify, supervisorIds } from './notification.service';
import { planNotifications, type Directory, type PlanEvent, type PlanMessage, type PlanTicket } from './notification.rules';

const STAFF_ROLES = [Role.AGENT, Role.SUPERVISOR, Role.ADMIN];

/** Active staff user ids of a department, or of every department for null. */
async function staffIds(em: EntityManager, department: string | null): Promise<string[]> {
  const agents = await em.find(Agent, { active: true, user: { role: { $in: STAFF_ROLES } }, ...(department == null ? {} : { department }) });
  return agents.map((agent) => agent.user.id);
}

/** The directory lookups the plan will need, fetched up front (one statement per department asked about). */
async function loadDirectory(em: EntityManager, staffOf: Set<string | null>, supervisorsOf: Set<string | null>): Promise<Directory> {
  const staff = new Map<string | null, string[]>();
  const supervisors = new Map<string | null, string[]>();
  for (const department of staffOf) staff.set(department, await staffIds(em, department));
  for (const department of supervisorsOf) supervisors.set(department, await supervisorIds(em, department));
  return { staff: (department) => staff.get(department) ?? [], supervisors: (department) => supervisors.get(department) ?? [] };
}

/**
 * The after-change step (registered in index.ts, after routing's): turns the unit of work's
 * history lines and messages into stored notifications, in the same transaction, published after
 * the commit. The rules are in notification.rules.ts.
 */
export async function notifyChanges(changes: TicketChanges, ctx: AfterChangeContext): Promise<void> {
  const { em } = ctx;
  const tickets = new Map<string, Ticket>();
  for (const event of changes.events) tickets.set(event.ticket.id, event.ticket.getEntity());
  for (const message of changes.messages) tickets.set(message.ticket.id, message.ticket);
  if (!tickets.size) return;

  const events: PlanEvent[] = [];
  // Agents' user ids, only where a rule can name them: the agent an ASSIGNED event hands the
  // ticket to, and the assignee of a ticket with a customer's message or a priority change. An
  // agent's reply (the common case) needs none of them: it notifies the customer.
  const agentIds = new Set<string>();
  const needsAssignee = new Set<string>();
  for (const message of changes.messages) if (message.from === 'CUSTOMER' && !message.internal) needsAssignee.add(message.ticket.id);
  for (const event of changes.events) {
    if (event.kind === TicketEventKind.PRIORITY_CHANGED) needsAssignee.add(event.ticket.id);
    const agentId = event.kind === TicketEventKind.ASSIGNED ? (event.data?.agentId as string | null) : null;
    if (agentId) agentIds.add(agentId);
  }
  for (const ticketId of needsAssignee) {
    const assignee = tickets.get(ticketId)?.assignee;
    if (assignee) agentIds.add(assignee.id);
  }
  const agents = agentIds.size ? await em.find(Agent, { id: { $in: [...agentIds] } }) : [];
  const userOfAgent = new Map(agents.map((agent) => [agent.id, agent.user.id]));

  const staffOf = new Set<string | null>();
  const supervisorsOf = new Set<string | null>();
  for (const event of changes.events) {
    const ticketId = event.ticket.id;
    const actorId = event.actor?.id ?? null;
    const department = tickets.get(ticketId)?.department ?? null;
    const data = event.data ?? {};
    if (event.kind === TicketEventKind.CREATED) {
      events.push({ kind: 'CREATED', ticketId, actorId });
      staffOf.add(department);
    } else if (event.kind === TicketEventKind.ASSIGNED) {
      const agentId = data.agentId as string | null;
      events.push({ kind: 'ASSIGNED', ticketId, actorId, agentUserId: agentId ? (userOfAgent.get(agentId) ?? null) : null });
    } else if (event.kind === TicketEventKind.STATUS_CHANGED && event.fromStatus && event.toStatus) {
      events.push({ kind: 'STATUS_CHANGED', ticketId, actorId, from: event.fromStatus, to: event.toStatus });
    } else if (event.kind === TicketEventKind.PRIORITY_CHANGED) {
      events.push({ kind: 'PRIORITY_CHANGED', ticketId, actorId, from: String(data.from), to: String(data.to) });
      supervisorsOf.add(department);
    }
  }

  const messages: PlanMessage[] = changes.messages
    .filter((message) => !message.internal && message.from !== 'SYSTEM')
    .map((message) => ({ ticketId: message.ticket.id, from: message.from, internal: message.internal, authorId: message.authorId, body: message.body }));

  const created = new Set(changes.created.map((ticket) => ticket.id));
  const plan = new Map<string, PlanTicket>(
    [...tickets.values()].map((ticket) => [
      ticket.id,
      {
        id: ticket.id,
        number: ticket.number,
        subject: ticket.subject,
        customerId: ticket.customer.id,
        department: ticket.department ?? null,
        assigneeUserId: ticket.assignee ? (userOfAgent.get(ticket.assignee.id) ?? null) : null,
        createdInUnit: created.has(ticket.id),
      },
    ]),
  );
  const planned = planNotifications(plan, events, messages, await loadDirectory(em, staffOf, supervisorsOf));
  notify(
    ctx,
    planned.map((draft) => ({ ...draft, ticket: tickets.get(draft.ticketId) })),
  );
}
