import type { EntityManager } from '@mikro-orm/postgresql';
import { randomBytes } from 'node:crypto';
import { User } from '../../../src/modules/accounts/user.entity';
import { Agent } from '../../../src/modules/agents/agent.entity';
import { MessageAuthorKind } from '../../../src/modules/messages/message.enums';
import { Message } from '../../../src/modules/messages/message.entity';
import { TicketEvent } from '../../../src/modules/tickets/ticket-event.entity';
import { Ticket } from '../../../src/modules/tickets/ticket.entity';
import { TicketEventKind, TicketPriority, TicketStatus } from '../../../src/modules/tickets/ticket.enums';
import type { TestServer } from '../../support/server';

/** A ticket as it stands at the end of its story, written straight to the tables (the triggers still see it). */
export interface TicketRow {
  customerId: string;
  createdAt: string;
  status?: TicketStatus;
  priority?: TicketPriority;
  department?: string | null;
  category?: string | null;
  assigneeId?: string | null;
  firstResponseAt?: string | null;
  resolvedAt?: string | null;
  rating?: number | null;
  firstResponseDueAt?: string | null;
  resolutionDueAt?: string | null;
  slaPausedAt?: string | null;
  slaBreachedAt?: string | null;
}

export function fork(server: TestServer): EntityManager {
  return server.app.services.orm.em.fork() as EntityManager;
}

const date = (value: string | null | undefined) => (value ? new Date(value) : null);

/** Inserts tickets in one flush (one INSERT, so one trigger run for all of them). */
export async function insertTickets(server: TestServer, rows: TicketRow[]): Promise<Ticket[]> {
  const em = fork(server);
  const tickets = rows.map((row) =>
    em.create(Ticket, {
      number: `TKT-20260101-${randomBytes(4).toString('hex')}`,
      subject: 'Constructed',
      customer: em.getReference(User, row.customerId),
      createdAt: new Date(row.createdAt),
      updatedAt: new Date(row.createdAt),
      status: row.status ?? TicketStatus.OPEN,
      priority: row.priority ?? TicketPriority.NORMAL,
      department: row.department ?? null,
      category: row.category ?? null,
      assignee: row.assigneeId ? em.getReference(Agent, row.assigneeId) : null,
      firstResponseAt: date(row.firstResponseAt),
      resolvedAt: date(row.resolvedAt),
      closedAt: row.status === TicketStatus.CLOSED ? date(row.resolvedAt) : null,
      rating: row.rating ?? null,
      firstResponseDueAt: date(row.firstResponseDueAt),
      resolutionDueAt: date(row.resolutionDueAt),
      slaPausedAt: date(row.slaPausedAt),
      slaBreachedAt: date(row.slaBreachedAt),
    }),
  );
  await em.flush();
  return tickets;
}

export interface MessageRow {
  ticketId: string;
  authorId: string | null;
  authorKind: MessageAuthorKind;
  createdAt: string;
  internal?: boolean;
}

const seqs = new Map<string, number>();

export async function insertMessages(server: TestServer, rows: MessageRow[]): Promise<void> {
  const em = fork(server);
  for (const row of rows) {
    const seq = (seqs.get(row.ticketId) ?? 0) + 1;
    seqs.set(row.ticketId, seq);
    em.create(Message, {
      ticket: em.getReference(Ticket, row.ticketId),
      seq,
      author: row.authorId ? em.getReference(User, row.authorId) : null,
      authorKind: row.authorKind,
      body: 'constructed',
      internal: row.internal ?? false,
      createdAt: new Date(row.createdAt),
    });
  }
  await em.flush();
}

export async function insertEvent(server: TestServer, ticketId: string, kind: TicketEventKind, at: string, actorId: string | null = null): Promise<TicketEvent> {
  const em = fork(server);
  const event = em.create(TicketEvent, {
    ticket: em.getReference(Ticket, ticketId),
    kind,
    actor: actorId ? em.getReference(User, actorId) : null,
    at: new Date(at),
  });
  await em.flush();
  return event;
}

/** Runs SQL on the server's database. */
export async function sql<T = Record<string, unknown>>(server: TestServer, text: string, params: unknown[] = []): Promise<T[]> {
  return server.app.services.orm.em.getConnection().execute<T[]>(text, params);
}

/** Empties the tables a constructed dataset fills (the rollups follow through their triggers, then are reset). */
export async function clearTickets(server: TestServer): Promise<void> {
  await sql(server, 'truncate tickets, ticket_stats_deltas, ticket_stats_hourly, ticket_agent_stats_hourly, ticket_category_stats_hourly, live_chart_hours cascade');
}

export const countOf = (rows: { key: string; count: number }[], key: string) => rows.find((row) => row.key === key)?.count ?? 0;
