import { LockMode, type FilterQuery } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { createRequestContext, type AppServices } from '../../server/context';
import { User } from '../accounts/user.entity';
import { Agent } from '../agents/agent.entity';
import { appendSystemMessage } from '../messages/message.service';
import { Ticket } from '../tickets/ticket.entity';
import { ACTIVE_STATUSES, PRIORITY_RANK, TicketEventKind, TicketPriority, TicketStatus } from '../tickets/ticket.enums';
import type { AfterChangeContext, TicketChanges } from '../tickets/ticket.lifecycle';
import { changeAssignee, ticketTransaction, type TicketWork } from '../tickets/ticket.service';
import { requestRoutingRetry } from './routing.retry';
import { assignmentNote, compareQueued, rankCandidates, type RoutingCandidate, type RoutingTicket } from './routing.rules';
import { execute } from '../../infra/sql';

/**
 * Where assignment happens. Routing runs inside the transaction that made a ticket wait or freed
 * capacity (see `routeChanges`), so the assignment commits, or rolls back, with its cause.
 *
 * Concurrency, across transactions and instances:
 * - the capacity check holds the chosen agent's row lock (`FOR UPDATE SKIP LOCKED`) and counts
 *   their active tickets in a statement that starts after the lock is held, so it sees every
 *   committed assignment; two transactions can never both fill an agent's last slot;
 * - a waiting ticket is claimed from the queue with `FOR UPDATE SKIP LOCKED` (or is already
 *   locked by the transaction that changed it), so no two transactions assign the same ticket;
 * - a candidate or queued ticket another transaction holds is skipped rather than waited for
 *   (waiting could deadlock against a manual assignment); when that may have left a ticket
 *   waiting beside free capacity, a retry is requested (`drainWaitingTickets`, run by the sweep).
 */

const ACTIVE = [...ACTIVE_STATUSES];
/** Candidates tried per ticket before leaving it to wait; each try costs two short statements. */
const MAX_TRIES = 10;
/** Tickets one capacity change may pull from the queue in one transaction; the sweep does the rest. */
const MAX_DRAIN = 100;

/** Units of work in which routing skipped something another transaction held. */
const contended = new WeakSet<TicketChanges>();

/** A ticket waits for an agent when it is OPEN and nobody has it. */
export function isWaiting(ticket: Ticket): boolean {
  return ticket.status === TicketStatus.OPEN && !ticket.assignee;
}

/** Language breaks ties only when the ticket names one (`createTicket(input: { language })`). */
function routingProfile(ticket: Ticket): RoutingTicket {
  return { department: ticket.department ?? null, category: ticket.category ?? null, tags: ticket.tags, language: ticket.language ?? null };
}

interface CandidateRow {
  id: string;
  department: string | null;
  status: string;
  active: boolean;
  skills: string[];
  languages: string[];
  max_concurrent_tickets: number;
  last_assigned_at: Date | null;
  active_count: number;
}

/** AVAILABLE agents who could take a ticket of `department`, with their current load (a hint; rechecked under lock). */
async function loadCandidates(em: EntityManager, department: string | null): Promise<RoutingCandidate[]> {
  const rows = await execute<CandidateRow>(
    em,
    `select a.id, a.department, a.status, a.active, a.skills, a.languages, a.max_concurrent_tickets, a.last_assigned_at,
            (select count(*)::int from tickets t where t.assignee_id = a.id and t.status in (?)) as active_count
       from agents a
      where a.active and a.status = 'AVAILABLE' ${department == null ? '' : 'and a.department = ?'}`,
    department == null ? [ACTIVE] : [ACTIVE, department],
  );
  return rows.map((row) => ({
    agentId: row.id,
    department: row.department,
    status: row.status,
    active: row.active,
    skills: row.skills,
    languages: row.languages,
    activeTicketCount: row.active_count,
    maxConcurrentTickets: row.max_concurrent_tickets,
    lastAssignedAt: row.last_assigned_at ? new Date(row.last_assigned_at) : null,
  }));
}

/**
 * Locks the agent's row unless another transaction holds it ('held'), checks they are still
 * AVAILABLE, and counts their active tickets in a statement that starts after the lock is held
 * (so it includes every committed assignment). Returns the count when they have room.
 */
async function claimCapacity(em: EntityManager, agentId: string): Promise<number | 'held' | 'unavailable'> {
  const locked = await execute<{ max_concurrent_tickets: number; status: string; active: boolean }>(
    em,
    `select max_concurrent_tickets, status, active from agents where id = ? for update skip locked`,
    [agentId],
  );
  if (!locked.length) return 'held';
  if (!locked[0].active || locked[0].status !== 'AVAILABLE') return 'unavailable';
  const [{ count }] = await execute<{ count: number }>(em, `select count(*)::int as count from tickets where assignee_id = ? and status in (?)`, [
    agentId,
    ACTIVE,
  ]);
  return count < locked[0].max_concurrent_tickets ? count : 'unavailable';
}

/**
 * Gives a waiting ticket to the best available agent within capacity, writing the ASSIGNED event
 * with the rule that decided in its note. Returns the agent, or null when nobody can take it now
 * (the ticket keeps waiting). The ticket must be locked by the caller's transaction.
 */
export async function assignBest(work: TicketWork, ticket: Ticket): Promise<Agent | null> {
  const { em } = work;
  const profile = routingProfile(ticket);
  const ranked = rankCandidates(profile, await loadCandidates(em, profile.department));
  for (const candidate of ranked.slice(0, MAX_TRIES)) {
    const activeCount = await claimCapacity(em, candidate.agentId);
    if (activeCount === 'held') contended.add(work.changes);
    if (typeof activeCount !== 'number') continue;
    const agent = await em.findOneOrFail(Agent, { id: candidate.agentId });
    changeAssignee(work, ticket, agent, null, assignmentNote(candidate, profile.language, activeCount + 1));
    // The next capacity check in this transaction must count this assignment.
    await em.flush();
    return agent;
  }
  return null;
}

/** Tickets `agent` may take, as queue conditions: their department's and those without one. */
function queueFor(agent: { department: string | null }): FilterQuery<Ticket> {
  const department = agent.department ? { $or: [{ department: null }, { department: agent.department }] } : { department: null };
  return { status: TicketStatus.OPEN, assignee: null, queuedAt: { $ne: null }, ...department };
}

/**
 * Fills freed capacity from the queue: while one of `agentIds` is AVAILABLE with room, the head
 * of the queue they may serve is claimed (skipping tickets another transaction holds) and given
 * to the best agent for it, which is usually, not necessarily, the one that freed up.
 */
export async function drainQueue(work: TicketWork, agentIds: readonly string[]): Promise<number> {
  const { em } = work;
  let assigned = 0;
  for (const agentId of new Set(agentIds)) {
    while (assigned < MAX_DRAIN) {
      const [agent] = await execute<{ department: string | null; room: boolean }>(
        em,
        `select a.department,
                (select count(*) from tickets t where t.assignee_id = a.id and t.status in (?)) < a.max_concurrent_tickets as room
           from agents a where a.id = ? and a.active and a.status = 'AVAILABLE'`,
        [ACTIVE, agentId],
      );
      if (!agent?.room) break;
      const [ticket] = await em.find(Ticket, queueFor(agent), {
        orderBy: { priorityRank: 'desc', queuedAt: 'asc', id: 'asc' },
        limit: 1,
        lockMode: LockMode.PESSIMISTIC_PARTIAL_WRITE,
      });
      if (!ticket) {
        // None free: if some are held by other transactions (they still count here), try again later.
        if ((await em.count(Ticket, queueFor(agent))) > 0) contended.add(work.changes);
        break;
      }
      if (!(await assignBest(work, ticket))) break;
      assigned++;
    }
  }
  return assigned;
}

/**
 * Tickets that started waiting in this unit of work: created or reopened without an agent, and any
 * other move to OPEN without one (a customer writing on a WAITING_ON_CUSTOMER ticket nobody has,
 * staff setting one back to OPEN, an unassignment).
 */
function ticketsToRoute(changes: TicketChanges): Ticket[] {
  const movedToOpen = changes.events
    .filter((event) => event.kind === TicketEventKind.STATUS_CHANGED && event.toStatus === TicketStatus.OPEN)
    .map((event) => event.ticket.getEntity());
  const tickets = [...new Set([...changes.needsRouting, ...movedToOpen])].filter(isWaiting);
  return tickets.sort((a, b) =>
    compareQueued(
      { id: a.id, priorityRank: PRIORITY_RANK[a.priority as TicketPriority], queuedAt: a.queuedAt ?? a.createdAt },
      { id: b.id, priorityRank: PRIORITY_RANK[b.priority as TicketPriority], queuedAt: b.queuedAt ?? b.createdAt },
    ),
  );
}

/**
 * The after-change step (registered in index.ts): routes tickets that started waiting, then fills
 * capacity that appeared (tickets resolved, closed or moved away; agents becoming AVAILABLE).
 * Does nothing with AUTO_ASSIGN=false: tickets wait for a manual assignment.
 */
export async function routeChanges(changes: TicketChanges, ctx: AfterChangeContext): Promise<void> {
  if (!ctx.app.config.autoAssign) return;
  const work: TicketWork = { em: ctx.em, outbox: ctx.outbox, changes };
  const freed = [...changes.freedAgentIds];
  const waiting = ticketsToRoute(changes);
  if (!waiting.length && !freed.length) return;
  // Routing reads agents' loads and the queue with its own SQL: the unit's changes must be written first.
  await ctx.em.flush();
  for (const ticket of waiting) {
    if (isWaiting(ticket)) await assignBest(work, ticket);
  }
  if (freed.length) await drainQueue(work, freed);
  if (contended.has(changes)) requestRoutingRetry(ctx.app);
}

async function userName(em: EntityManager, userId: string): Promise<string> {
  return (await em.findOne(User, { id: userId }))?.name ?? 'Your agent';
}

/**
 * An agent went OFFLINE (`why` says how, for the history): each of their open tickets is taken
 * from them, offered to routing at once (unless AUTO_ASSIGN=false), and its customer told in a
 * SYSTEM message. Tickets nobody can take wait in the queue (OPEN) or, when the customer has the
 * turn (WAITING_ON_CUSTOMER), are routed when the customer writes. The agent must already be OFFLINE.
 *
 * All the tickets are locked first, in one statement; then each is handed back through an
 * EntityManager of its own that shares the transaction, so every flush compares one ticket's
 * entities. Through the unit's one identity map, each flush compared every ticket handed back so
 * far: 400 tickets took 43 s, with all of them locked throughout. A ticket left waiting may still
 * be assigned by routing's after-change step through the unit's EntityManager: the ASSIGNED event
 * it records cascades the ticket into that one's flush (tested). Returns how many were handed back.
 */
export async function handBackTickets(
  work: TicketWork,
  agent: Agent,
  options: { actorId: string | null; why: string; autoAssign: boolean },
): Promise<number> {
  const ticketIds = await execute<{ id: string }>(
    work.em,
    `select id from tickets where assignee_id = ? and status in (?)
      order by priority_rank desc, created_at, id for update`,
    [agent.id, ACTIVE],
  );
  if (!ticketIds.length) return 0;
  const leaving = await userName(work.em, agent.user.id);
  for (const { id } of ticketIds) {
    const one: TicketWork = { ...work, em: work.em.fork({ clear: true, keepTransactionContext: true }) };
    const ticket = await one.em.findOneOrFail(Ticket, { id });
    changeAssignee(one, ticket, null, options.actorId, `handed back: ${leaving} ${options.why}`);
    const taker = options.autoAssign ? await assignBest(one, ticket) : null;
    appendSystemMessage(
      one,
      ticket,
      taker
        ? `${leaving} is no longer available. ${await userName(one.em, taker.user.id)} has taken over your conversation.`
        : `${leaving} is no longer available. The next available agent will take over your conversation.`,
    );
    await one.em.flush();
  }
  return ticketIds.length;
}

/** AVAILABLE agents with room for whom an eligible ticket is waiting. */
async function drainableAgentIds(app: AppServices): Promise<string[]> {
  const rows = await app.orm.em.getConnection().execute<{ id: string }[]>(
    // Each agent's load is counted once and the queue only probed for one eligible ticket (a join
    // counted every agent's load once per waiting ticket: seconds at a million tickets).
    `select a.id from agents a
      where a.active and a.status = 'AVAILABLE'
        and (select count(*) from tickets x where x.assignee_id = a.id and x.status in (?)) < a.max_concurrent_tickets
        and exists (select 1 from tickets t
                     where t.status = 'OPEN' and t.assignee_id is null and t.queued_at is not null
                       and (t.department is null or t.department = a.department))`,
    [ACTIVE],
  );
  return rows.map((row) => row.id);
}

/**
 * The retry (and the catch-up when an instance starts): while a waiting ticket and an agent who
 * could take it both exist, fills every such agent's capacity in one transaction. Returns whether
 * some are still left (held by other transactions): the caller asks for another retry.
 */
export async function drainWaitingTickets(app: AppServices): Promise<boolean> {
  if (!app.config.autoAssign) return false;
  const agentIds = await drainableAgentIds(app);
  if (!agentIds.length) return false;
  await ticketTransaction(createRequestContext(app, null, 'routing-retry'), (work) => drainQueue(work, agentIds));
  return (await drainableAgentIds(app)).length > 0;
}
