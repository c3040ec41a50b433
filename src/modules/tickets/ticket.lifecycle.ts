import type { EntityManager } from '@mikro-orm/postgresql';
import type { AppServices } from '../../server/context';
import type { Outbox } from '../../shared/events/transaction';
import type { TicketEvent } from './ticket-event.entity';
import type { Ticket } from './ticket.entity';
import type { TicketPriority, TicketStatus } from './ticket.enums';

/**
 * Moments in a ticket's life that other modules act on (SLA clocks, routing, notifications),
 * without the tickets module knowing them. Synchronous listeners adjust the ticket in memory as
 * it changes; `afterChange` steps run once per unit of work, in its transaction, before commit.
 */
export interface TicketLifecycleListener {
  created?(ticket: Ticket, at: Date): void;
  statusChanged?(ticket: Ticket, from: TicketStatus, to: TicketStatus, at: Date): void;
  priorityChanged?(ticket: Ticket, from: TicketPriority, to: TicketPriority, at: Date): void;
  departmentChanged?(ticket: Ticket, from: string | null, to: string | null, at: Date): void;
  firstResponse?(ticket: Ticket, at: Date): void;
}

/** What a unit of work did to tickets, for `afterChange` steps. */
export interface TicketChanges {
  created: Ticket[];
  /** Tickets that (re)entered the queue: created or reopened without an agent, unassigned, or moved to another department while waiting. */
  needsRouting: Ticket[];
  /** Agents whose load went down (a ticket resolved, closed or moved away). */
  freedAgentIds: string[];
  /** Every history line written, in order (notifications follow the history). */
  events: TicketEvent[];
  /** Messages appended (identified by ticket and seq). */
  messages: TicketMessageChange[];
}

export interface TicketMessageChange {
  ticket: Ticket;
  seq: number;
  from: 'CUSTOMER' | 'AGENT' | 'SYSTEM';
  internal: boolean;
  authorId: string | null;
  /** The text as written (notifications quote it without reading the message back). */
  body: string;
}

export interface AfterChangeContext {
  em: EntityManager;
  outbox: Outbox;
  app: AppServices;
  actorId: string | null;
}

export type AfterChangeStep = (changes: TicketChanges, ctx: AfterChangeContext) => Promise<void>;

const listeners: TicketLifecycleListener[] = [];
const afterChangeSteps: AfterChangeStep[] = [];

export function onTicketLifecycle(listener: TicketLifecycleListener): void {
  listeners.push(listener);
}

export function onTicketChanges(step: AfterChangeStep): void {
  afterChangeSteps.push(step);
}

export const lifecycle = {
  created: (ticket: Ticket, at: Date) => listeners.forEach((l) => l.created?.(ticket, at)),
  statusChanged: (ticket: Ticket, from: TicketStatus, to: TicketStatus, at: Date) => listeners.forEach((l) => l.statusChanged?.(ticket, from, to, at)),
  priorityChanged: (ticket: Ticket, from: TicketPriority, to: TicketPriority, at: Date) =>
    listeners.forEach((l) => l.priorityChanged?.(ticket, from, to, at)),
  departmentChanged: (ticket: Ticket, from: string | null, to: string | null, at: Date) =>
    listeners.forEach((l) => l.departmentChanged?.(ticket, from, to, at)),
  firstResponse: (ticket: Ticket, at: Date) => listeners.forEach((l) => l.firstResponse?.(ticket, at)),
};

export function emptyChanges(): TicketChanges {
  return { created: [], needsRouting: [], freedAgentIds: [], events: [], messages: [] };
}

export async function runAfterChangeSteps(changes: TicketChanges, ctx: AfterChangeContext): Promise<void> {
  const { created, needsRouting, freedAgentIds, events, messages } = changes;
  if (!created.length && !needsRouting.length && !freedAgentIds.length && !events.length && !messages.length) return;
  for (const step of afterChangeSteps) await step(changes, ctx);
}
