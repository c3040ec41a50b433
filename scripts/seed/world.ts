import { formatTicketNumber, ticketDay } from '../../src/modules/tickets/ticket-number';
import { seededId, type Random } from './random';
import {
  CATEGORIES,
  CHANNELS,
  DEPARTMENTS,
  FEEDBACK,
  FIRST_NAMES,
  LANGUAGES,
  LAST_NAMES,
  PRIORITIES,
  STAFF,
  fill,
  type Category,
  type Department,
} from './vocabulary';

/** One row to insert, keyed by entity property names (relations hold the related id). */
export type Row = Record<string, unknown>;

/** Rows for each table, in an order that satisfies the foreign keys. */
export interface Batch {
  users: Row[];
  agents: Row[];
  tickets: Row[];
  messages: Row[];
  events: Row[];
  readCursors: Row[];
}

export const emptyBatch = (): Batch => ({ users: [], agents: [], tickets: [], messages: [], events: [], readCursors: [] });

const MINUTE = 60_000;
const DAY = 86_400_000;

type Status = 'OPEN' | 'IN_PROGRESS' | 'WAITING_ON_CUSTOMER' | 'RESOLVED' | 'CLOSED';
type Priority = 'LOW' | 'NORMAL' | 'HIGH' | 'URGENT';
const PRIORITY_ORDER: Priority[] = ['LOW', 'NORMAL', 'HIGH', 'URGENT'];

export interface StaffMember {
  userId: string;
  agentId: string;
  name: string;
  email: string;
  department: Department | null;
  skills: string[];
  maxConcurrentTickets: number;
  /** Tickets this agent holds that still need work; routing stops at `maxConcurrentTickets`. */
  activeLoad: number;
  lastAssignedAt: Date | null;
}

export interface Customer {
  userId: string;
  name: string;
  email: string | null;
  /** Wrote in through the web widget without an account: no password. */
  isGuest: boolean;
}

export interface People {
  batch: Batch;
  admin: { email: string; password: string; created: boolean };
  supervisor: StaffMember;
  agents: StaffMember[];
  customers: Customer[];
}

export interface PeopleOptions {
  tickets: number;
  now: Date;
  admin: { email: string; password: string; passwordHash: string; existingUserId: string | null };
  /** Shared by every seeded account except the admin. */
  demoPasswordHash: string;
}

/** How many people a run of `tickets` tickets needs: the demo's cast, growing with large runs. */
export function castSize(tickets: number): { agents: number; customers: number } {
  return { agents: Math.max(STAFF.agents.length, Math.ceil(tickets / 2500)), customers: Math.max(40, Math.ceil(tickets / 10)) };
}

function userRow(id: string, name: string, email: string | null, role: string, passwordHash: string | null, createdAt: Date, isGuest = false): Row {
  return { id, name, email, passwordHash, role, isGuest, active: true, createdAt, updatedAt: createdAt };
}

function agentRow(member: StaffMember, languages: readonly string[], status: string, createdAt: Date, lastSeenAt: Date | null): Row {
  return {
    id: member.agentId,
    user: member.userId,
    department: member.department,
    skills: member.skills,
    languages: [...languages],
    status,
    maxConcurrentTickets: member.maxConcurrentTickets,
    active: true,
    lastSeenAt,
    createdAt,
    updatedAt: createdAt,
  };
}

/** The admin, a supervisor, the agents of three departments, and the customers. */
export function generatePeople(random: Random, options: PeopleOptions): People {
  const { now } = options;
  const batch = emptyBatch();
  const size = castSize(options.tickets);
  const joined = () => new Date(now.getTime() - random.int(60, 400) * DAY - random.int(0, DAY));

  if (!options.admin.existingUserId) {
    const at = new Date(now.getTime() - 500 * DAY);
    const userId = seededId('User', at, random);
    batch.users.push(userRow(userId, 'Administrator', options.admin.email, 'ADMIN', options.admin.passwordHash, at));
    batch.agents.push({
      id: seededId('Agent', at, random),
      user: userId,
      department: null,
      skills: [],
      languages: ['en'],
      status: 'OFFLINE',
      maxConcurrentTickets: 5,
      active: true,
      lastSeenAt: null,
      createdAt: at,
      updatedAt: at,
    });
  }

  const staffMember = (name: string, email: string, department: Department | null, skills: string[], max: number, at: Date): StaffMember => ({
    userId: seededId('User', at, random),
    agentId: seededId('Agent', at, random),
    name,
    email,
    department,
    skills,
    maxConcurrentTickets: max,
    activeLoad: 0,
    lastAssignedAt: null,
  });

  const supervisorAt = joined();
  const supervisor = staffMember(STAFF.supervisor.name, STAFF.supervisor.email, null, [...new Set(CATEGORIES.map((c) => c.skill))], 10, supervisorAt);
  batch.users.push(userRow(supervisor.userId, supervisor.name, supervisor.email, 'SUPERVISOR', options.demoPasswordHash, supervisorAt));
  batch.agents.push(agentRow(supervisor, STAFF.supervisor.languages, 'AVAILABLE', supervisorAt, new Date(now.getTime() - 3 * MINUTE)));

  const agents: StaffMember[] = [];
  for (let i = 0; i < size.agents; i++) {
    const known = STAFF.agents[i];
    const at = joined();
    const department = known?.department ?? DEPARTMENTS[i % DEPARTMENTS.length];
    const first = FIRST_NAMES[i % FIRST_NAMES.length];
    const last = LAST_NAMES[Math.floor(i / FIRST_NAMES.length) % LAST_NAMES.length];
    const name = known?.name ?? `${first} ${last}`;
    const email = known?.email ?? `agent${i + 1}@parley.local`;
    const ownSkills = CATEGORIES.filter((c) => c.department === department).map((c) => c.skill);
    const skills = known ? [...known.skills] : random.sample(ownSkills, random.int(2, ownSkills.length));
    const member = staffMember(name, email, department, skills, known?.max ?? random.int(4, 8), at);
    const languages = known?.languages ?? ['en', ...(random.chance(0.4) ? [random.weighted(LANGUAGES.slice(1))] : [])];
    const status = known?.status ?? random.weighted([['AVAILABLE', 5], ['BUSY', 2], ['AWAY', 1], ['OFFLINE', 3]] as const);
    const lastSeen = status === 'OFFLINE' ? new Date(now.getTime() - random.int(2, 48) * 60 * MINUTE) : new Date(now.getTime() - random.int(0, 5) * MINUTE);
    agents.push(member);
    batch.users.push(userRow(member.userId, name, email, 'AGENT', options.demoPasswordHash, at));
    batch.agents.push(agentRow(member, languages, status, at, lastSeen));
  }

  const customers: Customer[] = [];
  for (let i = 0; i < size.customers; i++) {
    const at = new Date(now.getTime() - random.int(31, 700) * DAY - random.int(0, DAY));
    const first = FIRST_NAMES[(i * 7 + 3) % FIRST_NAMES.length];
    const last = LAST_NAMES[(i * 5 + Math.floor(i / FIRST_NAMES.length)) % LAST_NAMES.length];
    const name = `${first} ${last}`;
    // Every tenth customer wrote in through the web widget without an account.
    const isGuest = i % 10 === 9;
    const local = `${first}.${last}`.toLowerCase().normalize('NFD').replace(/[^a-z.]/g, '');
    const email = isGuest ? (random.chance(0.5) ? `${local}${i}@example.net` : null) : `${local}${i < 40 ? '' : i}@example.com`;
    const customer: Customer = { userId: seededId('User', at, random), name, email, isGuest };
    customers.push(customer);
    batch.users.push(userRow(customer.userId, name, email, 'CUSTOMER', isGuest ? null : options.demoPasswordHash, at, isGuest));
  }

  return {
    batch,
    admin: { email: options.admin.email, password: options.admin.password, created: !options.admin.existingUserId },
    supervisor,
    agents,
    customers,
  };
}

// ---------------------------------------------------------------- tickets

/** Busier on weekdays and in (UTC) office hours. */
function activityWeight(at: Date): number {
  const hour = at.getUTCHours();
  const weekend = at.getUTCDay() === 0 || at.getUTCDay() === 6;
  const hourly = hour >= 8 && hour < 18 ? 1 : hour >= 6 && hour < 22 ? 0.45 : 0.12;
  return hourly * (weekend ? 0.5 : 1);
}

/** Creation times over the last `days` days, oldest first. */
function creationTimes(random: Random, count: number, now: Date, days: number): Float64Array {
  const times = new Float64Array(count);
  const end = now.getTime() - 2 * MINUTE;
  for (let i = 0; i < count; ) {
    const at = end - random.next() * days * DAY;
    if (random.next() < activityWeight(new Date(at))) times[i++] = Math.floor(at);
  }
  return times.sort();
}

function targetStatus(random: Random, ageDays: number): Status {
  if (ageDays < 1) return random.weighted([['OPEN', 30], ['IN_PROGRESS', 30], ['WAITING_ON_CUSTOMER', 25], ['RESOLVED', 12], ['CLOSED', 3]] as const);
  if (ageDays < 4) return random.weighted([['OPEN', 8], ['IN_PROGRESS', 15], ['WAITING_ON_CUSTOMER', 20], ['RESOLVED', 40], ['CLOSED', 17]] as const);
  if (ageDays < 10) return random.weighted([['OPEN', 2], ['IN_PROGRESS', 4], ['WAITING_ON_CUSTOMER', 8], ['RESOLVED', 30], ['CLOSED', 56]] as const);
  return random.weighted([['OPEN', 0.5], ['IN_PROGRESS', 1], ['WAITING_ON_CUSTOMER', 2.5], ['RESOLVED', 12], ['CLOSED', 84]] as const);
}

/** Minutes until an agent picks the ticket up: urgent ones go first. */
const PICKUP_MINUTES: Record<Priority, [number, number]> = { URGENT: [2, 20], HIGH: [5, 60], NORMAL: [10, 240], LOW: [30, 720] };

type Step =
  | { kind: 'customer'; body: string }
  | { kind: 'agent'; body: string; by: StaffMember }
  | { kind: 'note'; body: string; by: StaffMember }
  | { kind: 'system'; body: string }
  | { kind: 'assign'; to: StaffMember; actor: StaffMember | null; note: string | null }
  | { kind: 'priority'; to: Priority; actor: StaffMember }
  | { kind: 'status'; to: Status; actor: string | null; note: string | null }
  | { kind: 'rate'; rating: number; feedback: string | null };

interface TicketState {
  status: Status;
  priority: Priority;
  assignee: StaffMember | null;
  seq: number;
  messageCount: number;
  publicMessageCount: number;
  lastMessageAt: Date | null;
  lastPublicMessageAt: Date | null;
  firstResponseAt: Date | null;
  resolvedAt: Date | null;
  closedAt: Date | null;
  queuedAt: Date | null;
  rating: number | null;
  feedback: string | null;
  ratedAt: Date | null;
}

export interface TicketOptions {
  count: number;
  now: Date;
  days?: number;
  chunkSize?: number;
}

export interface TicketStream {
  /** Tickets with their messages, events and read cursors, oldest first. */
  batches: Generator<Batch>;
  /** Each UTC day's last ticket number, for `ticket_number_sequences` (complete once `batches` is done). */
  sequences(): Row[];
}

/**
 * Tickets with their whole history, oldest first, `chunkSize` at a time (a million tickets never
 * sit in memory at once). Each history is replayed through the same rules the services apply
 * (tickets/ticket.workflow.ts), so statuses, timestamps and counters agree with the messages and
 * events; ticket numbers count per UTC day, as `ticket_number_sequences` does.
 */
export function generateTickets(random: Random, people: People, options: TicketOptions): TicketStream {
  const sequences = new Map<string, number>();
  return {
    batches: ticketBatches(random, people, options, sequences),
    sequences: () => [...sequences].map(([day, lastValue]) => ({ day, lastValue })),
  };
}

function* ticketBatches(random: Random, people: People, options: TicketOptions, sequences: Map<string, number>): Generator<Batch> {
  const { count, now } = options;
  const chunkSize = options.chunkSize ?? 1000;
  const times = creationTimes(random, count, now, options.days ?? 30);
  // A few tickets spread over the range take each status and priority, so even a tiny run shows them all.
  const forcedStatus = new Map<number, Status>();
  const forcedPriority = new Map<number, Priority>();
  (['CLOSED', 'RESOLVED', 'WAITING_ON_CUSTOMER', 'IN_PROGRESS', 'OPEN'] as const).forEach((status, k) =>
    forcedStatus.set(Math.floor(((k + 0.5) * count) / 5), status),
  );
  PRIORITY_ORDER.forEach((priority, k) => forcedPriority.set(Math.floor(((k + 0.5) * count) / 4), priority));

  let batch = emptyBatch();
  for (let i = 0; i < count; i++) {
    const createdAt = new Date(times[i]);
    const day = ticketDay(createdAt);
    const sequence = (sequences.get(day) ?? 0) + 1;
    sequences.set(day, sequence);
    generateTicket(random, people, batch, {
      createdAt,
      now,
      number: formatTicketNumber(day, sequence),
      status: forcedStatus.get(i),
      priority: forcedPriority.get(i),
    });
    if (batch.tickets.length >= chunkSize) {
      yield batch;
      batch = emptyBatch();
    }
  }
  if (batch.tickets.length) yield batch;
}

function pickCategory(random: Random): Category {
  const department = random.weighted([['billing', 40], ['technical', 35], ['accounts', 25]] as const);
  return random.pick(CATEGORIES.filter((c) => c.department === department));
}

function pickAgent(random: Random, people: People, category: Category, needsCapacity: boolean, except?: StaffMember): StaffMember | null {
  const skilled = people.agents.filter((a) => a !== except && a.department === category.department && a.skills.includes(category.skill));
  const inDepartment = people.agents.filter((a) => a !== except && a.department === category.department);
  for (const pool of [skilled, inDepartment]) {
    const candidates = needsCapacity ? pool.filter((a) => a.activeLoad < a.maxConcurrentTickets) : pool;
    if (candidates.length) return random.pick(candidates);
  }
  return null;
}

interface TicketSeed {
  createdAt: Date;
  now: Date;
  number: string;
  status?: Status;
  priority?: Priority;
}

function generateTicket(random: Random, people: People, batch: Batch, seed: TicketSeed): void {
  const { createdAt, now } = seed;
  const ageDays = (now.getTime() - createdAt.getTime()) / DAY;
  const category = pickCategory(random);
  // Returning customers: the first customers write in far more often than the last ones.
  const customer = people.customers[Math.floor(people.customers.length * random.next() ** 2)];
  let priority: Priority = seed.priority ?? (random.weighted(PRIORITIES) as Priority);
  if (!seed.priority && category.name === 'security' && priority !== 'URGENT' && random.chance(0.6)) priority = 'HIGH';
  const channel = random.weighted(CHANNELS);
  let status: Status = seed.status ?? targetStatus(random, ageDays);
  const escalated = priority !== 'LOW' && random.chance(0.08);
  const initialPriority = escalated ? PRIORITY_ORDER[PRIORITY_ORDER.indexOf(priority) - 1] : priority;

  let active = status === 'IN_PROGRESS' || status === 'WAITING_ON_CUSTOMER';
  const spam = status === 'CLOSED' && random.chance(0.08);
  let agent = status === 'OPEN' || spam ? null : pickAgent(random, people, category, active);
  if (!agent && active) {
    // Everyone who could take it is at capacity: a recent ticket waits in the queue; an older one
    // was handled since (large runs would otherwise pile up an unrealistic backlog).
    active = false;
    status = ageDays < 2 ? 'OPEN' : random.chance(0.7) ? 'CLOSED' : 'RESOLVED';
    if (status !== 'OPEN') agent = pickAgent(random, people, category, false);
  }
  if (agent && active) agent.activeLoad += 1;
  const reassignedFrom = agent && random.chance(0.05) ? pickAgent(random, people, category, false, agent) : null;

  const steps: { gap: number; step: Step }[] = [];
  const add = (gap: number, step: Step) => steps.push({ gap, step });
  const text = (template: string) => fill(template, random, createdAt);
  const customerLine = () => text(random.pick(category.followUps));

  if (random.chance(0.35)) add(random.minutes(1, 30), { kind: 'customer', body: customerLine() });
  if (spam) {
    add(random.minutes(10, 600), { kind: 'note', body: random.pick(['Duplicate of an earlier ticket from the same customer.', 'Spam: automated message, no customer issue.']), by: people.supervisor });
    add(random.minutes(1, 5), { kind: 'status', to: 'CLOSED', actor: people.supervisor.userId, note: 'closed as duplicate or spam' });
  }

  if (agent) {
    const [minWait, maxWait] = PICKUP_MINUTES[initialPriority];
    const first = reassignedFrom ?? agent;
    const routed = random.chance(0.7);
    add(random.minutes(minWait, maxWait), {
      kind: 'assign',
      to: first,
      actor: routed ? null : people.supervisor,
      note: routed ? `Routed to ${first.name}: ${category.skill} skill in ${category.department}` : null,
    });
    if (random.chance(0.25)) add(random.minutes(1, 20), { kind: 'note', body: text(random.pick(category.internalNotes)), by: first });

    const answered = !(status === 'IN_PROGRESS' && random.chance(0.4));
    const rounds = answered ? random.int(1, priority === 'URGENT' || priority === 'HIGH' ? 4 : 3) : 0;
    let current = first;
    for (let round = 1; round <= rounds; round++) {
      if (round === 2 && reassignedFrom) {
        add(random.minutes(5, 120), { kind: 'assign', to: agent, actor: people.supervisor, note: 'rebalanced between agents' });
        add(random.minutes(1, 5), { kind: 'system', body: `${agent.name} has taken over this conversation.` });
        current = agent;
      }
      if (escalated && round === 1) add(random.minutes(1, 30), { kind: 'priority', to: priority, actor: current });
      const last = round === rounds;
      const closing = last && (status === 'RESOLVED' || status === 'CLOSED');
      add(random.minutes(2, 90), { kind: 'agent', body: text(random.pick(closing ? category.resolutions : category.agentReplies)), by: current });
      if (!last || status === 'IN_PROGRESS') add(random.minutes(5, 1440), { kind: 'customer', body: customerLine() });
      if (!last && random.chance(0.15)) add(random.minutes(1, 60), { kind: 'note', body: text(random.pick(category.internalNotes)), by: current });
    }
    if (escalated && rounds === 0) add(random.minutes(1, 30), { kind: 'priority', to: priority, actor: people.supervisor });
    if (reassignedFrom && rounds < 2) {
      add(random.minutes(5, 120), { kind: 'assign', to: agent, actor: people.supervisor, note: 'rebalanced between agents' });
      current = agent;
    }

    if (status === 'RESOLVED' || status === 'CLOSED') {
      add(random.minutes(1, 240), { kind: 'status', to: 'RESOLVED', actor: current.userId, note: null });
      if (random.chance(0.5)) add(random.minutes(0.1, 1), { kind: 'system', body: `Marked as resolved by ${current.name}. Reply here if you need anything else.` });
      if (random.chance(0.6)) {
        const rating = random.weighted([[5, 45], [4, 30], [3, 12], [2, 7], [1, 6]] as const);
        const feedback = random.chance(0.4) ? random.pick(rating >= 4 ? FEEDBACK.good : FEEDBACK.bad) : null;
        add(random.minutes(10, 2880), { kind: 'rate', rating, feedback });
      }
      if (status === 'CLOSED') add(random.minutes(1440, 4320), { kind: 'status', to: 'CLOSED', actor: null, note: 'closed automatically after resolution' });
    }
  }

  replay(random, people, batch, { ...seed, category, customer, channel, priority: initialPriority, steps });
}

interface Replay {
  createdAt: Date;
  now: Date;
  number: string;
  category: Category;
  customer: Customer;
  channel: string;
  priority: Priority;
  steps: { gap: number; step: Step }[];
}

/** Applies the steps as the services would, at times squeezed into the ticket's lifetime so far. */
function replay(random: Random, people: People, batch: Batch, plan: Replay): void {
  const { createdAt, now, customer, category } = plan;
  const ticketId = seededId('Ticket', createdAt, random);
  const window = now.getTime() - createdAt.getTime() - MINUTE;
  const total = plan.steps.reduce((sum, { gap }) => sum + gap * MINUTE, 0);
  const scale = total > window ? window / total : 1;

  const state: TicketState = {
    status: 'OPEN',
    priority: plan.priority,
    assignee: null,
    seq: 0,
    messageCount: 0,
    publicMessageCount: 0,
    lastMessageAt: null,
    lastPublicMessageAt: null,
    firstResponseAt: null,
    resolvedAt: null,
    closedAt: null,
    queuedAt: createdAt,
    rating: null,
    feedback: null,
    ratedAt: null,
  };
  const messageAt: Date[] = [];
  const readers = new Map<string, { seq: number; at: Date }>();

  const event = (at: Date, kind: string, actor: string | null, details: { fromStatus?: Status; toStatus?: Status; data?: object; note?: string | null } = {}) =>
    batch.events.push({
      id: seededId('TicketEvent', at, random),
      ticket: ticketId,
      kind,
      actor,
      fromStatus: details.fromStatus ?? null,
      toStatus: details.toStatus ?? null,
      data: details.data ?? null,
      note: details.note ?? null,
      at,
    });

  // The same bookkeeping as tickets/ticket.service.ts changeStatus.
  const changeStatus = (at: Date, to: Status, actor: string | null, note: string | null) => {
    const from = state.status;
    if (from === to) return;
    state.status = to;
    if (to === 'RESOLVED') {
      state.resolvedAt = at;
      state.closedAt = null;
    } else if (to === 'CLOSED') {
      state.closedAt = at;
      state.resolvedAt ??= at;
    } else if (from === 'RESOLVED' || from === 'CLOSED') {
      state.resolvedAt = null;
      state.closedAt = null;
    }
    state.queuedAt = to === 'OPEN' && !state.assignee ? (state.queuedAt ?? at) : null;
    event(at, 'STATUS_CHANGED', actor, { fromStatus: from, toStatus: to, note });
  };

  const message = (at: Date, authorKind: 'CUSTOMER' | 'AGENT' | 'SYSTEM', author: string | null, body: string, internal: boolean) => {
    state.seq += 1;
    state.messageCount += 1;
    state.lastMessageAt = at;
    if (!internal) {
      state.publicMessageCount += 1;
      state.lastPublicMessageAt = at;
    }
    messageAt[state.seq] = at;
    const edited = authorKind !== 'SYSTEM' && random.chance(0.03);
    batch.messages.push({
      id: seededId('Message', at, random),
      ticket: ticketId,
      seq: state.seq,
      author,
      authorKind,
      kind: authorKind === 'SYSTEM' ? 'SYSTEM' : 'TEXT',
      body,
      internal,
      clientMessageId: null,
      deliveryState: null,
      createdAt: at,
      editedAt: edited ? new Date(Math.min(at.getTime() + random.int(1, 5) * MINUTE, now.getTime())) : null,
      deletedAt: null,
    });
    // Writing means having read everything before: the author's cursor moves to their own message.
    if (author) readers.set(author, { seq: state.seq, at });
  };

  event(createdAt, 'CREATED', customer.userId, { toStatus: 'OPEN' });
  let clock = createdAt.getTime();
  for (const { gap, step } of plan.steps) {
    clock = Math.min(clock + Math.max(1, Math.round(gap * MINUTE * scale)), now.getTime() - 1);
    const at = new Date(clock);
    switch (step.kind) {
      case 'customer': {
        message(at, 'CUSTOMER', customer.userId, step.body, false);
        // A resolved or closed ticket reopens; a waiting one resumes (ticket.workflow.ts).
        if (state.status === 'WAITING_ON_CUSTOMER' || state.status === 'RESOLVED' || state.status === 'CLOSED') {
          changeStatus(at, state.assignee ? 'IN_PROGRESS' : 'OPEN', customer.userId, 'customer replied');
        }
        break;
      }
      case 'agent': {
        message(at, 'AGENT', step.by.userId, step.body, false);
        state.firstResponseAt ??= at;
        if (state.status === 'OPEN' || state.status === 'IN_PROGRESS') changeStatus(at, 'WAITING_ON_CUSTOMER', step.by.userId, 'agent replied');
        break;
      }
      case 'note':
        message(at, 'AGENT', step.by.userId, step.body, true);
        break;
      case 'system':
        message(at, 'SYSTEM', null, step.body, false);
        break;
      case 'assign': {
        const previous = state.assignee;
        state.assignee = step.to;
        step.to.lastAssignedAt = at;
        event(at, 'ASSIGNED', step.actor?.userId ?? null, { data: { agentId: step.to.agentId, previousAgentId: previous?.agentId ?? null }, note: step.note });
        if (state.status === 'OPEN') changeStatus(at, 'IN_PROGRESS', step.actor?.userId ?? null, null);
        state.queuedAt = null;
        break;
      }
      case 'priority':
        event(at, 'PRIORITY_CHANGED', step.actor.userId, { data: { from: state.priority, to: step.to } });
        state.priority = step.to;
        break;
      case 'status':
        changeStatus(at, step.to, step.actor, step.note);
        break;
      case 'rate':
        state.rating = step.rating;
        state.feedback = step.feedback;
        state.ratedAt = at;
        event(at, 'RATED', customer.userId, { data: { rating: step.rating } });
        break;
    }
  }

  // Read cursors: authors have read up to what they wrote; the customer and the agent also read
  // what came later, except for the newest message now and then (unread counts to show).
  const lastSeq = state.seq;
  const lastAt = messageAt[lastSeq];
  if (lastSeq > 0) {
    for (const userId of [customer.userId, state.assignee?.userId].filter((id): id is string => !!id)) {
      if (random.chance(0.7)) readers.set(userId, { seq: lastSeq, at: lastAt });
    }
  }
  for (const [user, cursor] of readers) {
    const readAt = new Date(Math.min(cursor.at.getTime() + random.int(0, 30) * MINUTE, now.getTime()));
    batch.readCursors.push({ ticket: ticketId, user, lastReadSeq: cursor.seq, readAt });
  }

  const updatedAt = new Date(Math.max(clock, createdAt.getTime()));
  batch.tickets.push({
    id: ticketId,
    number: plan.number,
    subject: fill(random.pick(category.subjects), random, createdAt),
    description: fill(random.pick(category.descriptions), random, createdAt),
    status: state.status,
    priority: state.priority,
    channel: plan.channel,
    category: category.name,
    department: category.department,
    tags: [...category.tags.slice(0, random.int(1, category.tags.length)), ...(random.chance(0.05) ? ['vip'] : [])],
    customer: customer.userId,
    assignee: state.assignee?.agentId ?? null,
    messageCount: state.messageCount,
    publicMessageCount: state.publicMessageCount,
    lastSeq,
    lastMessageAt: state.lastMessageAt,
    lastPublicMessageAt: state.lastPublicMessageAt,
    firstResponseAt: state.firstResponseAt,
    resolvedAt: state.resolvedAt,
    closedAt: state.closedAt,
    queuedAt: state.queuedAt,
    rating: state.rating,
    feedback: state.feedback,
    ratedAt: state.ratedAt,
    createdAt,
    updatedAt,
  });
}
