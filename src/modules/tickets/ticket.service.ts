import { helper, LockMode, raw, ReferenceKind, ref, Utils, type FilterQuery } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { RequestContext } from '../../server/context';
import { requireStaff, requireViewer } from '../../shared/auth/guards';
import { canEditTicket, canManageTickets, canRateTicket, canReadTicket, canSetTicketStatus } from '../../shared/auth/policies';
import { isStaff, type Viewer } from '../../shared/auth/viewer';
import { AppError, badInput, forbidden, notFound } from '../../shared/errors';
import { transactionWithEvents, type Outbox } from '../../shared/events/transaction';
import { emptyChanges, lifecycle, runAfterChangeSteps, type TicketChanges } from './ticket.lifecycle';
import { isIdOf } from '../../shared/ids';
import { emptyToNull, normalizeLabels } from '../../shared/text';
import type { ConnectionShape } from '../../shared/pagination/connection';
import { joinedValue, paginateReadOnly, type PageJoin } from '../../shared/pagination/paginate';
import { userById } from '../accounts/user.loaders';
import { agentById } from '../agents/agent.loaders';
import { Role } from '../../shared/roles';
import { User } from '../accounts/user.entity';
import { Agent } from '../agents/agent.entity';
import { nextTicketNumber, TICKET_NUMBER_PATTERN } from './ticket-number';
import { TicketEvent } from './ticket-event.entity';
import { Ticket } from './ticket.entity';
import { SortDirection, TicketChannel, TicketEventKind, TicketOrderField, TicketPriority, TicketStatus } from './ticket.enums';
import type {
  AssignTicketInput,
  BulkUpdateTicketsInput,
  CreateTicketInput,
  RateTicketInput,
  TicketsArgs,
  UpdateTicketInput,
  UpdateTicketPriorityInput,
  UpdateTicketStatusInput,
} from './ticket.inputs';
import { isClosedStatus, statusAfterAgentReply, statusAfterAssignment, statusAfterCustomerMessage, transitionProblem } from './ticket.workflow';
import { execute } from '../../infra/sql';

const TICKET = 'Ticket';


/** One unit of work on tickets: its EntityManager, the events to publish after commit, and what changed. */
export interface TicketWork {
  em: EntityManager;
  outbox: Outbox;
  changes: TicketChanges;
}

/**
 * Runs `work` in a transaction; then, still inside it, lets other modules react to what changed
 * (routing, notifications); publishes only after the commit. One flush writes what the work and
 * the steps changed: a step that reads the database with its own SQL flushes first (routing does).
 */
export function ticketTransaction<T>(ctx: RequestContext, work: (unit: TicketWork) => Promise<T>): Promise<T> {
  return transactionWithEvents(ctx, async (em, outbox) => {
    const unit: TicketWork = { em, outbox, changes: emptyChanges() };
    const result = await work(unit);
    await runAfterChangeSteps(unit.changes, { em, outbox, app: ctx.app, actorId: ctx.viewer?.userId ?? null });
    await em.flush();
    return result;
  });
}

// ---------------------------------------------------------------- reading

/**
 * The ticket, if the viewer may read it. Someone else's ticket answers NOT_FOUND, exactly like
 * one that does not exist, so ids reveal nothing. `lock` takes the row for update (in a transaction).
 */
export async function findReadableTicket(ctx: RequestContext, em: EntityManager, id: string, lock = false): Promise<Ticket> {
  const viewer = requireViewer(ctx);
  if (!isIdOf(id, 'Ticket')) throw notFound(TICKET);
  const ticket = lock ? await findLockedTicket(em, id) : await em.findOne(Ticket, { id });
  if (!ticket || !canReadTicket(viewer, ticket)) throw notFound(TICKET);
  return ticket;
}

/**
 * The ticket row taken for update, as a managed entity (em.map: the same hydration and snapshot a
 * find makes), from one hand-written statement. MikroORM's locking findOne cost a send about a
 * sixth of its CPU (2.1-2.4 → 1.7-1.9 ms per send, alternated runs).
 */
async function findLockedTicket(em: EntityManager, id: string): Promise<Ticket | null> {
  // One this EntityManager holds already keeps its state (and unflushed changes) as before.
  if (em.getUnitOfWork().getById<Ticket>(Ticket.name, id)) return em.findOne(Ticket, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
  const rows = await execute<Record<string, unknown>>(em, 'select * from tickets where id = ? for update', [id]);
  return rows.length ? em.map(Ticket, rows[0]) : null;
}

/** For `node(id)`: null rather than an error. */
export async function findTicketForNode(ctx: RequestContext, id: string): Promise<Ticket | null> {
  if (!ctx.viewer) return null;
  const ticket = await ctx.em.findOne(Ticket, { id });
  return ticket && canReadTicket(ctx.viewer, ticket) ? ticket : null;
}

export async function getTicket(ctx: RequestContext, id: string): Promise<Ticket> {
  return findReadableTicket(ctx, ctx.em, id);
}

export async function getTicketByNumber(ctx: RequestContext, number: string): Promise<Ticket> {
  const viewer = requireViewer(ctx);
  const normalized = number.trim().toUpperCase();
  if (!TICKET_NUMBER_PATTERN.test(normalized)) throw notFound(TICKET);
  const ticket = await ctx.em.findOne(Ticket, { number: normalized });
  if (!ticket || !canReadTicket(viewer, ticket)) throw notFound(TICKET);
  return ticket;
}

const ORDER_COLUMNS: Record<TicketOrderField, keyof Ticket> = {
  [TicketOrderField.CREATED_AT]: 'createdAt',
  [TicketOrderField.UPDATED_AT]: 'updatedAt',
  [TicketOrderField.PRIORITY]: 'priorityRank',
  [TicketOrderField.LAST_MESSAGE_AT]: 'lastActivityAt',
};

/** The filter as MikroORM conditions. Customers are confined to their own tickets whatever they ask. */
function ticketConditions(viewer: Viewer, args: TicketsArgs): FilterQuery<Ticket> {
  const filter = args.filter ?? {};
  const and: FilterQuery<Ticket>[] = [];
  if (!isStaff(viewer)) and.push({ customer: viewer.userId });
  if (filter.customerId) and.push({ customer: filter.customerId });
  if (filter.status?.length) and.push({ status: { $in: filter.status } });
  if (filter.priority?.length) and.push({ priority: { $in: filter.priority } });
  if (filter.channel?.length) and.push({ channel: { $in: filter.channel } });
  if (filter.assigneeId) and.push({ assignee: filter.assigneeId });
  if (filter.unassigned != null) and.push({ assignee: filter.unassigned ? null : { $ne: null } });
  if (filter.department) and.push({ department: filter.department });
  if (filter.category) and.push({ category: filter.category });
  const tags = normalizeLabels(filter.tags);
  if (tags.length) and.push({ tags: { $contains: tags } });
  if (filter.createdAfter) and.push({ createdAt: { $gte: filter.createdAfter } });
  if (filter.createdBefore) and.push({ createdAt: { $lt: filter.createdBefore } });
  const search = filter.search?.trim();
  if (search) {
    // Ticket fields through the ticket's own vector; message bodies through theirs (internal
    // notes only for staff, deleted messages never); an exact ticket number always matches.
    const notes = isStaff(viewer) ? '' : 'and not m.internal';
    and.push({
      [raw(
        (alias) =>
          `(${alias}.search_vector @@ websearch_to_tsquery('english', ?) or ${alias}.number = ? or exists (select 1 from messages m where m.ticket_id = ${alias}.id and m.deleted_at is null ${notes} and m.search_vector @@ websearch_to_tsquery('english', ?)))`,
        [search, search.toUpperCase(), search],
      )]: [],
    } as FilterQuery<Ticket>);
  }
  return and.length ? { $and: and } : {};
}

/** What a `tickets` query reads of each ticket beyond its own columns (from its selection). */
export interface TicketListReads {
  customer?: boolean;
  assignee?: boolean;
}

/** The joins that bring a page's customers, and its assignees with their users, in the page's own statement. */
const CUSTOMER_JOIN = { path: 'customer', alias: 'pc', entity: User } satisfies PageJoin;
const ASSIGNEE_JOIN = { path: 'assignee', alias: 'pa', entity: Agent } satisfies PageJoin;
const ASSIGNEE_USER_JOIN = { path: 'pa.user', alias: 'pau', entity: User } satisfies PageJoin;

/**
 * The `tickets` connection: filtered, ordered (ties broken by id), keyset-paginated. The customers
 * and assignees a query reads come with the page (joined) and go to the loaders the field
 * resolvers read, so a list of tickets with their people costs one statement, not three in turn.
 */
export async function listTickets(ctx: RequestContext, args: TicketsArgs, reads: TicketListReads = {}): Promise<ConnectionShape<Ticket>> {
  const viewer = requireViewer(ctx);
  const order = args.orderBy ?? { field: TicketOrderField.CREATED_AT, direction: SortDirection.DESC };
  const direction = order.direction === SortDirection.ASC ? 'asc' : 'desc';
  const joins: PageJoin[] = [...(reads.customer ? [CUSTOMER_JOIN] : []), ...(reads.assignee ? [ASSIGNEE_JOIN, ASSIGNEE_USER_JOIN] : [])];
  // Read-only tickets: a page is only read (fields, loaders), and managed entities were a large part of a list's CPU.
  return paginateReadOnly(ctx.em, Ticket, () => ticketConditions(viewer, args), args, [{ [ORDER_COLUMNS[order.field]]: direction }, { id: direction }], {
    joins,
    eachRow: joins.length ? primeLoadersWith(ctx, reads) : undefined,
  });
}

/** Hands a page row's joined customer, assignee and assignee's user to the loaders their fields read. */
function primeLoadersWith(ctx: RequestContext, reads: TicketListReads): (row: Record<string, unknown>) => void {
  const users = ctx.loaders.get(userById);
  const agents = ctx.loaders.get(agentById);
  return (row) => {
    const customer = reads.customer ? joinedValue(ctx.em, CUSTOMER_JOIN, row) : null;
    if (customer) users.prime(customer.id, customer);
    if (!reads.assignee) return;
    const agent = joinedValue(ctx.em, ASSIGNEE_JOIN, row);
    if (agent) agents.prime(agent.id, agent);
    const agentUser = joinedValue(ctx.em, ASSIGNEE_USER_JOIN, row);
    if (agentUser) users.prime(agentUser.id, agentUser);
  };
}

// ---------------------------------------------------------------- changing

/** Writes one history line and queues its event for after the commit. */
export function recordEvent(
  { em, outbox, changes }: TicketWork,
  ticket: Ticket,
  kind: TicketEventKind,
  actorId: string | null,
  details: { fromStatus?: TicketStatus; toStatus?: TicketStatus; data?: Record<string, unknown>; note?: string | null } = {},
): TicketEvent {
  const event = em.create(TicketEvent, {
    ticket,
    kind,
    actor: actorId ? em.getReference(User, actorId) : null,
    fromStatus: details.fromStatus ?? null,
    toStatus: details.toStatus ?? null,
    data: details.data ?? null,
    note: details.note ?? null,
  });
  outbox.push({ type: 'TICKET_EVENT', ticketId: ticket.id, eventId: event.id, kind });
  changes.events.push(event);
  return event;
}

/**
 * Moves a ticket to `to`, keeping `resolvedAt`/`closedAt`/`queuedAt` consistent and writing the
 * STATUS_CHANGED event. A move to the current status changes nothing. Throws BAD_USER_INPUT for
 * moves that make no sense.
 */
export function changeStatus(
  work: TicketWork,
  ticket: Ticket,
  to: TicketStatus,
  actorId: string | null,
  note?: string,
  field = 'status',
): boolean {
  const from = ticket.status;
  if (from === to) return false;
  const problem = transitionProblem({ status: from, assigned: !!ticket.assignee }, to);
  if (problem) throw badInput(field, problem);
  const now = new Date();
  ticket.status = to;
  if (to === TicketStatus.RESOLVED) {
    ticket.resolvedAt = now;
    ticket.closedAt = null;
  } else if (to === TicketStatus.CLOSED) {
    ticket.closedAt = now;
    ticket.resolvedAt ??= now;
  } else if (isClosedStatus(from)) {
    // Reopened: the earlier resolution no longer stands.
    ticket.resolvedAt = null;
    ticket.closedAt = null;
  }
  ticket.queuedAt = to === TicketStatus.OPEN && !ticket.assignee ? (ticket.queuedAt ?? now) : null;
  recordEvent(work, ticket, TicketEventKind.STATUS_CHANGED, actorId, { fromStatus: from, toStatus: to, note });
  lifecycle.statusChanged(ticket, from, to, now);
  if (isClosedStatus(to) && ticket.assignee && !isClosedStatus(from)) work.changes.freedAgentIds.push(ticket.assignee.id);
  if (isClosedStatus(from) && !isClosedStatus(to) && !ticket.assignee) work.changes.needsRouting.push(ticket);
  return true;
}

/** Loads an agent who can take tickets, or explains why not (naming `field`). */
async function assignableAgent(em: EntityManager, agentId: string, field: string): Promise<Agent> {
  const agent = isIdOf(agentId, 'Agent') ? await em.findOne(Agent, { id: agentId }) : null;
  if (!agent) throw new AppError('NOT_FOUND', 'Agent not found.', { field });
  if (!agent.active) throw badInput(field, 'This agent is deactivated.');
  return agent;
}

/** Sets or clears the assignee, with the ASSIGNED event and the status that follows from it. */
export function changeAssignee(
  work: TicketWork,
  ticket: Ticket,
  agent: Agent | null,
  actorId: string | null,
  note?: string,
): boolean {
  const previous = ticket.assignee?.id ?? null;
  if (previous === (agent?.id ?? null)) return false;
  ticket.assignee = agent ? ref(agent) : null;
  if (agent) agent.lastAssignedAt = new Date();
  recordEvent(work, ticket, TicketEventKind.ASSIGNED, actorId, {
    data: { agentId: agent?.id ?? null, previousAgentId: previous },
    note: note ?? (agent ? null : 'unassigned'),
  });
  if (previous && !isClosedStatus(ticket.status)) work.changes.freedAgentIds.push(previous);
  const next = statusAfterAssignment({ status: ticket.status, assigned: !!agent }, !!agent);
  changeStatus(work, ticket, next, actorId);
  if (!agent && ticket.status === TicketStatus.OPEN) ticket.queuedAt ??= new Date();
  if (agent) ticket.queuedAt = null;
  return true;
}

function changePriority(work: TicketWork, ticket: Ticket, to: TicketPriority, actorId: string): boolean {
  const from = ticket.priority;
  if (from === to) return false;
  ticket.priority = to;
  recordEvent(work, ticket, TicketEventKind.PRIORITY_CHANGED, actorId, { data: { from, to } });
  lifecycle.priorityChanged(ticket, from, to, new Date());
  return true;
}

/** A customer opens a ticket for themself; staff may open one for a customer. */
export async function createTicket(ctx: RequestContext, input: CreateTicketInput): Promise<Ticket> {
  const viewer = requireViewer(ctx);
  let customerId = viewer.userId;
  if (input.customerId) {
    if (!isStaff(viewer)) throw forbidden('Only staff may open a ticket for someone else.');
    const customer = isIdOf(input.customerId, 'User') ? await ctx.em.findOne(User, { id: input.customerId }) : null;
    if (!customer || customer.role !== Role.CUSTOMER) throw badInput('customerId', 'No such customer.');
    customerId = customer.id;
  }
  return ticketTransaction(ctx, async (work) => {
    const { em } = work;
    const now = new Date();
    const ticket = em.create(Ticket, {
      number: await nextTicketNumber(em, now),
      subject: input.subject.trim(),
      description: input.description.trim(),
      priority: input.priority ?? TicketPriority.NORMAL,
      channel: input.channel ?? TicketChannel.WEB,
      category: emptyToNull(input.category),
      department: emptyToNull(input.department),
      tags: normalizeLabels(input.tags),
      language: input.language ? input.language.toLowerCase() : null,
      customer: em.getReference(User, customerId),
      queuedAt: now,
      createdAt: now,
      updatedAt: now,
    });
    recordEvent(work, ticket, TicketEventKind.CREATED, viewer.userId, { toStatus: TicketStatus.OPEN });
    work.outbox.push({ type: 'TICKET_CREATED', ticketId: ticket.id });
    lifecycle.created(ticket, now);
    work.changes.created.push(ticket);
    work.changes.needsRouting.push(ticket);
    await em.flush();
    return ticket;
  });
}

/** Subject by the customer or staff; category, department and tags by staff. */
export async function updateTicket(ctx: RequestContext, input: UpdateTicketInput): Promise<Ticket> {
  const viewer = requireViewer(ctx);
  const staffFields = (['category', 'department', 'tags'] as const).filter((field) => input[field] !== undefined && input[field] !== null);
  return ticketTransaction(ctx, async (work) => {
    const { em } = work;
    const ticket = await findReadableTicket(ctx, em, input.ticketId, true);
    if (!canEditTicket(viewer, ticket)) throw notFound(TICKET);
    if (staffFields.length && !canManageTickets(viewer)) throw forbidden(`Only staff may change ${staffFields.join(', ')}.`);
    const changed: Record<string, { from: unknown; to: unknown }> = {};
    const set = <K extends 'subject' | 'category' | 'department' | 'tags'>(field: K, value: Ticket[K]) => {
      if (JSON.stringify(ticket[field]) === JSON.stringify(value)) return;
      changed[field] = { from: ticket[field], to: value };
      ticket[field] = value;
    };
    if (input.subject != null) set('subject', input.subject.trim());
    if (input.category != null) set('category', emptyToNull(input.category));
    if (input.department != null) set('department', emptyToNull(input.department));
    if (input.tags != null) set('tags', normalizeLabels(input.tags));
    if (Object.keys(changed).length) {
      recordEvent(work, ticket, TicketEventKind.UPDATED, viewer.userId, { data: changed });
    }
    if (changed.department) {
      // Another department may have other SLA targets, and other agents for a ticket still waiting.
      lifecycle.departmentChanged(ticket, changed.department.from as string | null, ticket.department ?? null, new Date());
      if (ticket.status === TicketStatus.OPEN && !ticket.assignee) work.changes.needsRouting.push(ticket);
    }
    await em.flush();
    return ticket;
  });
}

export async function updateTicketStatus(ctx: RequestContext, input: UpdateTicketStatusInput): Promise<Ticket> {
  const viewer = requireViewer(ctx);
  return ticketTransaction(ctx, async (work) => {
    const { em } = work;
    const ticket = await findReadableTicket(ctx, em, input.ticketId, true);
    if (!canSetTicketStatus(viewer, ticket, input.status)) throw forbidden('Customers may only resolve, close or reopen their tickets.');
    // A customer "reopening" means: back to work, with the agent if it has one.
    const target =
      !isStaff(viewer) && input.status === TicketStatus.OPEN && ticket.assignee ? TicketStatus.IN_PROGRESS : input.status;
    changeStatus(work, ticket, target, viewer.userId);
    await em.flush();
    return ticket;
  });
}

export async function updateTicketPriority(ctx: RequestContext, input: UpdateTicketPriorityInput): Promise<Ticket> {
  const viewer = requireStaff(ctx);
  return ticketTransaction(ctx, async (work) => {
    const { em } = work;
    const ticket = await findReadableTicket(ctx, em, input.ticketId, true);
    changePriority(work, ticket, input.priority, viewer.userId);
    await em.flush();
    return ticket;
  });
}

export async function assignTicket(ctx: RequestContext, input: AssignTicketInput): Promise<Ticket> {
  const viewer = requireStaff(ctx);
  return ticketTransaction(ctx, async (work) => {
    const { em } = work;
    const ticket = await findReadableTicket(ctx, em, input.ticketId, true);
    const agent = input.agentId ? await assignableAgent(em, input.agentId, 'agentId') : null;
    changeAssignee(work, ticket, agent, viewer.userId);
    await em.flush();
    return ticket;
  });
}

/**
 * Applies one change to many tickets in one transaction: every ticket changes, or (on any
 * unknown id or impossible move) none does and nothing is published.
 */
export async function bulkUpdateTickets(ctx: RequestContext, input: BulkUpdateTicketsInput): Promise<{ tickets: Ticket[]; updatedCount: number }> {
  const viewer = requireStaff(ctx);
  if (input.status == null && input.priority == null && input.assigneeId === undefined) {
    throw badInput('status', 'Give at least one of status, priority or assigneeId.');
  }
  if (input.ticketIds.some((id) => !isIdOf(id, 'Ticket'))) throw notFound(TICKET);
  return ticketTransaction(ctx, async (work) => {
    const { em } = work;
    // Locked in id order, so two bulk updates over overlapping sets cannot deadlock.
    const tickets = await em.find(Ticket, { id: { $in: input.ticketIds } }, { orderBy: { id: 'asc' }, lockMode: LockMode.PESSIMISTIC_WRITE });
    if (tickets.length !== input.ticketIds.length) throw notFound(TICKET);
    const agent = input.assigneeId ? await assignableAgent(em, input.assigneeId, 'assigneeId') : null;
    let updatedCount = 0;
    for (const ticket of tickets) {
      let changed = false;
      if (input.assigneeId !== undefined) changed = changeAssignee(work, ticket, agent, viewer.userId, 'bulk update') || changed;
      if (input.priority != null) changed = changePriority(work, ticket, input.priority, viewer.userId) || changed;
      if (input.status != null) changed = changeStatus(work, ticket, input.status, viewer.userId, 'bulk update') || changed;
      if (changed) updatedCount++;
    }
    await em.flush();
    const byId = new Map(tickets.map((ticket) => [ticket.id, ticket]));
    return { tickets: input.ticketIds.map((id) => byId.get(id)!), updatedCount };
  });
}

/** The ticket's customer rates it once it is RESOLVED or CLOSED; rating again replaces the rating. */
export async function rateTicket(ctx: RequestContext, input: RateTicketInput): Promise<Ticket> {
  const viewer = requireViewer(ctx);
  return ticketTransaction(ctx, async (work) => {
    const { em } = work;
    const ticket = await findReadableTicket(ctx, em, input.ticketId, true);
    if (!canRateTicket(viewer, ticket)) throw forbidden('Only the ticket’s customer can rate it.');
    if (!isClosedStatus(ticket.status)) throw badInput('ticketId', 'A ticket can be rated once it is RESOLVED or CLOSED.');
    ticket.rating = input.rating;
    ticket.feedback = emptyToNull(input.feedback);
    ticket.ratedAt = new Date();
    recordEvent(work, ticket, TicketEventKind.RATED, viewer.userId, { data: { rating: input.rating } });
    await em.flush();
    return ticket;
  });
}

/**
 * What a new message does to its ticket (called inside the message's transaction, with the row
 * locked): counters, first response, and the workflow's status moves. Internal notes change no status.
 */
export function applyMessageToTicket(
  work: TicketWork,
  ticket: Ticket,
  message: { seq: number; internal: boolean; at: Date; from: 'CUSTOMER' | 'AGENT' | 'SYSTEM'; authorId: string | null; body: string },
): void {
  ticket.lastSeq = message.seq;
  ticket.messageCount += 1;
  ticket.lastMessageAt = message.at;
  work.changes.messages.push({ ticket, seq: message.seq, from: message.from, internal: message.internal, authorId: message.authorId, body: message.body });
  if (message.internal) return;
  ticket.publicMessageCount += 1;
  ticket.lastPublicMessageAt = message.at;
  const state = { status: ticket.status, assigned: !!ticket.assignee };
  if (message.from === 'CUSTOMER') {
    changeStatus(work, ticket, statusAfterCustomerMessage(state), message.authorId, 'customer replied');
  } else if (message.from === 'AGENT') {
    if (!ticket.firstResponseAt) {
      ticket.firstResponseAt = message.at;
      lifecycle.firstResponse(ticket, message.at);
    }
    changeStatus(work, ticket, statusAfterAgentReply(state), message.authorId, 'agent replied');
  }
}

/** A ticket's pending column changes as an `update` of its own (see `pendingTicketUpdate`). */
export interface TicketUpdate {
  /** `update tickets set … where id = ? returning …`, for the end of a statement. */
  sql: string;
  params: unknown[];
  /** Records the written values (and the row's answer) as the ticket's stored state. */
  written(row: { last_activity_ms: number }): void;
}

const isPlainValue = (value: unknown) => value === null || value instanceof Date || ['string', 'number', 'boolean'].includes(typeof value);

/**
 * The columns of `ticket` changed in memory since it was loaded (or last flushed), as an UPDATE a
 * caller runs in a statement of its own: sendMessage joins it to the message's insert, one round
 * trip instead of two. Only plain columns are taken (not relations, arrays or generated columns);
 * anything else changed, or changed after `written`, is left to the unit of work's flush as usual.
 * `updatedAt` moves as the entity's onUpdate would move it.
 */
export function pendingTicketUpdate(em: EntityManager, ticket: Ticket): TicketUpdate | null {
  const wrapped = helper(ticket);
  const stored = wrapped.__originalEntityData;
  if (!stored) return null;
  const meta = wrapped.__meta;
  const current = em.getComparator().prepareEntity(ticket) as Record<string, unknown>;
  const changed = meta.props.filter(
    (prop) =>
      prop.kind === ReferenceKind.SCALAR &&
      !prop.generated &&
      !prop.formula &&
      prop.persist !== false &&
      !prop.primary &&
      prop.fieldNames?.length === 1 &&
      isPlainValue(current[prop.name]) &&
      !Utils.equals(current[prop.name], (stored as Record<string, unknown>)[prop.name]),
  );
  if (!changed.length) return null;
  ticket.updatedAt = new Date();
  const props = [...new Set([...changed, meta.properties.updatedAt])];
  const values = props.map((prop) => (prop.name === 'updatedAt' ? ticket.updatedAt : current[prop.name]));
  return {
    sql: `update tickets set ${props.map((prop) => `${prop.fieldNames[0]} = ?`).join(', ')} where id = ?
          returning (extract(epoch from last_activity_at) * 1000)::float8 as last_activity_ms`,
    params: [...values, ticket.id],
    written(row) {
      ticket.lastActivityAt = new Date(row.last_activity_ms);
      const snapshot = em.getComparator().prepareEntity(ticket) as Record<string, unknown>;
      const data = stored as Record<string, unknown>;
      for (const prop of [...props, meta.properties.lastActivityAt]) data[prop.name] = snapshot[prop.name];
    },
  };
}
