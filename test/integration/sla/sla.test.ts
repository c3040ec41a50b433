import {
  AssignTicketDocument,
  CreateTicketDocument,
  SendMessageDocument,
  TicketSlaDocument,
  UpdateTicketDocument,
  UpdateTicketPriorityDocument,
  UpdateTicketStatusDocument,
} from '../../__generated__/graphql';
import { createSlaMonitor, markSlaBreaches, SLA_JOB_LOCK_ID, useFixedClock, useSystemClock } from '../../../src/modules/sla';
import { missedTargets, slaMissedSql } from '../../../src/modules/sla/sla.rules';
import { TicketStatus } from '../../../src/modules/tickets/ticket.enums';
import { createCast, createSupervisor, type Actor, type Cast } from '../../support/factories';
import { startTestServer, type TestServer } from '../../support/server';
import { waitFor } from '../../support/ws-client';
import { insertTickets, sql, type TicketRow } from '../dashboard/helpers';

const MIN = 60_000;
const HOUR = 60 * MIN;

let server: TestServer;
let cast: Cast;
let technicalSupervisor: Actor;

beforeAll(async () => {
  server = await startTestServer({
    env: {
      SLA_CHECK_INTERVAL_SECONDS: '0',
      DASHBOARD_MAINTENANCE_SECONDS: '0',
      AUTO_ASSIGN: 'false',
      // One department with its own target for LOW tickets; every other one keeps the defaults.
      SLA_POLICY: JSON.stringify({ departments: { vip: { LOW: { firstResponse: '30m', resolution: '4h' } } } }),
    },
  });
  cast = await createCast(server);
  technicalSupervisor = await createSupervisor(server, { name: 'Tess Supervisor', department: 'technical' });
});
afterEach(() => useSystemClock());
afterAll(() => server.stop());

async function open(priority: 'LOW' | 'NORMAL' | 'HIGH' | 'URGENT', department?: string): Promise<{ id: string; createdAt: number }> {
  const before = Date.now();
  const { createTicket } = await cast.customerA.client.data(CreateTicketDocument, {
    input: { subject: `${priority} trouble`, description: 'Details', priority, department },
  });
  const [{ created }] = await sql<{ created: number }>(server, 'select (extract(epoch from created_at) * 1000)::float8 as created from tickets where id = ?', [createTicket.ticket.id]);
  expect(created).toBeGreaterThanOrEqual(before - 5);
  return { id: createTicket.ticket.id, createdAt: created };
}

const sla = async (id: string, actor: Actor = cast.agent) => (await actor.client.data(TicketSlaDocument, { id })).ticket!;
const ms = (iso: string | null | undefined) => (iso ? new Date(iso).getTime() : null);

describe('planning', () => {
  it('sets the due dates of a new ticket from its priority', async () => {
    const ticket = await open('URGENT');
    const seen = await sla(ticket.id);
    expect(ms(seen.firstResponseDueAt)).toBe(ticket.createdAt + 15 * MIN);
    expect(ms(seen.resolutionDueAt)).toBe(ticket.createdAt + 4 * HOUR);
    expect(seen.slaStatus).toBe('ON_TRACK');
  });

  it('shows the customer the same clocks on their own ticket', async () => {
    const ticket = await open('LOW');
    const seen = await sla(ticket.id, cast.customerA);
    expect(ms(seen.firstResponseDueAt)).toBe(ticket.createdAt + 24 * HOUR);
    expect(ms(seen.resolutionDueAt)).toBe(ticket.createdAt + 120 * HOUR);
  });

  it('re-plans from creation when the priority changes', async () => {
    const ticket = await open('LOW');
    await cast.agent.client.data(UpdateTicketPriorityDocument, { input: { ticketId: ticket.id, priority: 'HIGH' } });
    const seen = await sla(ticket.id);
    expect(ms(seen.firstResponseDueAt)).toBe(ticket.createdAt + HOUR);
    expect(ms(seen.resolutionDueAt)).toBe(ticket.createdAt + 8 * HOUR);
  });
});

describe('a department change', () => {
  it('re-plans from creation with the targets of the new department, and back', async () => {
    const ticket = await open('LOW');
    await cast.agent.client.data(UpdateTicketDocument, { input: { ticketId: ticket.id, department: 'VIP' } });
    let seen = await sla(ticket.id);
    expect(ms(seen.firstResponseDueAt)).toBe(ticket.createdAt + 30 * MIN);
    expect(ms(seen.resolutionDueAt)).toBe(ticket.createdAt + 4 * HOUR);

    await cast.agent.client.data(UpdateTicketDocument, { input: { ticketId: ticket.id, department: 'billing' } });
    seen = await sla(ticket.id);
    expect(ms(seen.firstResponseDueAt)).toBe(ticket.createdAt + 24 * HOUR);
    expect(ms(seen.resolutionDueAt)).toBe(ticket.createdAt + 120 * HOUR);
  });

  it('keeps the time a paused clock already waited', async () => {
    const ticket = await open('LOW', 'vip');
    await cast.agent.client.data(AssignTicketDocument, { input: { ticketId: ticket.id, agentId: cast.agent.agent!.id } });
    await cast.agent.client.data(UpdateTicketStatusDocument, { input: { ticketId: ticket.id, status: 'WAITING_ON_CUSTOMER' } });
    await new Promise((resolve) => setTimeout(resolve, 50));
    await cast.agent.client.data(UpdateTicketStatusDocument, { input: { ticketId: ticket.id, status: 'IN_PROGRESS' } });
    const paused = ms((await sla(ticket.id)).resolutionDueAt)! - (ticket.createdAt + 4 * HOUR);
    expect(paused).toBeGreaterThanOrEqual(50);

    await cast.agent.client.data(UpdateTicketDocument, { input: { ticketId: ticket.id, department: 'billing' } });
    expect(ms((await sla(ticket.id)).resolutionDueAt)).toBe(ticket.createdAt + 120 * HOUR + paused);
  });
});

describe('pausing while waiting on the customer', () => {
  it('holds the resolution clock still and pushes its due date back by the wait', async () => {
    const ticket = await open('NORMAL');
    await cast.agent.client.data(AssignTicketDocument, { input: { ticketId: ticket.id, agentId: cast.agent.agent!.id } });
    await cast.agent.client.data(UpdateTicketStatusDocument, { input: { ticketId: ticket.id, status: 'WAITING_ON_CUSTOMER' } });
    const [{ paused }] = await sql<{ paused: number }>(server, 'select (extract(epoch from sla_paused_at) * 1000)::float8 as paused from tickets where id = ?', [ticket.id]);
    expect(paused).toBeGreaterThanOrEqual(ticket.createdAt);
    // Make the wait three hours long, as if the customer had taken that long to answer.
    await sql(server, `update tickets set sla_paused_at = sla_paused_at - interval '3 hours' where id = ?`, [ticket.id]);
    const planned = ticket.createdAt + 24 * HOUR;
    // While paused, the due date shown moves with the wait.
    useFixedClock(new Date(paused + HOUR));
    expect(ms((await sla(ticket.id)).resolutionDueAt)).toBe(planned + 4 * HOUR);
    useSystemClock();
    await cast.customerA.client.data(SendMessageDocument, { input: { ticketId: ticket.id, body: 'Here is the file you asked for.' } });
    const resumed = await sla(ticket.id);
    expect(resumed.status).toBe('IN_PROGRESS');
    expect(ms(resumed.resolutionDueAt)! - planned).toBeGreaterThanOrEqual(3 * HOUR);
    expect(ms(resumed.resolutionDueAt)! - planned).toBeLessThan(3 * HOUR + 10_000);
    // The first-response clock never pauses.
    expect(ms(resumed.firstResponseDueAt)).toBe(ticket.createdAt + 4 * HOUR);
  });
});

describe('status', () => {
  it('turns AT_RISK with less than a fifth of the time left and BREACHED after the due date', async () => {
    const ticket = await open('URGENT');
    useFixedClock(new Date(ticket.createdAt + 11 * MIN));
    expect((await sla(ticket.id)).slaStatus).toBe('ON_TRACK');
    useFixedClock(new Date(ticket.createdAt + 13 * MIN));
    expect((await sla(ticket.id)).slaStatus).toBe('AT_RISK');
    useFixedClock(new Date(ticket.createdAt + 16 * MIN));
    expect((await sla(ticket.id)).slaStatus).toBe('BREACHED');
  });

  it('is MET once resolved within every target', async () => {
    const ticket = await open('HIGH');
    await cast.agent.client.data(AssignTicketDocument, { input: { ticketId: ticket.id, agentId: cast.agent.agent!.id } });
    await cast.agent.client.data(SendMessageDocument, { input: { ticketId: ticket.id, body: 'On it.' } });
    await cast.agent.client.data(UpdateTicketStatusDocument, { input: { ticketId: ticket.id, status: 'RESOLVED' } });
    useFixedClock(new Date(ticket.createdAt + 30 * 24 * HOUR));
    expect((await sla(ticket.id)).slaStatus).toBe('MET');
  });

  it('is NONE where no SLA applies', async () => {
    const ticket = await open('NORMAL');
    await sql(server, 'update tickets set first_response_due_at = null, resolution_due_at = null where id = ?', [ticket.id]);
    expect((await sla(ticket.id)).slaStatus).toBe('NONE');
  });
});

describe('the breach job', () => {
  it('marks a missed target once: the history line, and a notification to the assignee and the supervisors', async () => {
    const ticket = await open('URGENT');
    await cast.agent.client.data(AssignTicketDocument, { input: { ticketId: ticket.id, agentId: cast.agent.agent!.id } });
    const late = new Date(ticket.createdAt + 16 * MIN);

    expect(await markSlaBreaches(server.app.services, new Date(ticket.createdAt + 14 * MIN))).not.toContain(ticket.id);
    expect(await markSlaBreaches(server.app.services, late)).toContain(ticket.id);
    expect(await markSlaBreaches(server.app.services, new Date(ticket.createdAt + 5 * HOUR))).not.toContain(ticket.id);

    const seen = await sla(ticket.id);
    const breaches = seen.history.filter((line) => line.kind === 'SLA_BREACHED');
    expect(breaches).toHaveLength(1);
    expect(breaches[0].actor).toBeNull();
    expect(breaches[0].note).toContain('first response was due');
    const [{ breachedAt }] = await sql<{ breachedAt: number }>(server, 'select (extract(epoch from sla_breached_at) * 1000)::float8 as "breachedAt" from tickets where id = ?', [ticket.id]);
    expect(breachedAt).toBe(ticket.createdAt + 15 * MIN);

    const notified = await sql<{ recipient_id: string }>(server, `select recipient_id from notifications where ticket_id = ? and kind = 'SLA_BREACHED' order by recipient_id`, [ticket.id]);
    // The ticket has no department: every supervisor hears of it, and its assignee.
    expect(notified.map((row) => row.recipient_id).sort()).toEqual([cast.agent.user.id, cast.supervisor.user.id, technicalSupervisor.user.id].sort());
  });

  it("tells only the department's supervisors about a ticket of that department", async () => {
    const ticket = await open('URGENT', 'technical');
    await markSlaBreaches(server.app.services, new Date(ticket.createdAt + 16 * MIN));
    const notified = await sql<{ recipient_id: string }>(server, `select recipient_id from notifications where ticket_id = ? and kind = 'SLA_BREACHED'`, [ticket.id]);
    expect(notified.map((row) => row.recipient_id)).toEqual([technicalSupervisor.user.id]);
  });

  it('catches a ticket answered late between two rounds', async () => {
    const ticket = await open('URGENT');
    await cast.agent.client.data(AssignTicketDocument, { input: { ticketId: ticket.id, agentId: cast.agent.agent!.id } });
    await cast.agent.client.data(SendMessageDocument, { input: { ticketId: ticket.id, body: 'Sorry for the wait.' } });
    // The reply came 20 minutes after creation (15 allowed), and no round ran in between.
    await sql(server, `update tickets set first_response_at = created_at + interval '20 minutes' where id = ?`, [ticket.id]);
    expect(await markSlaBreaches(server.app.services, new Date(Date.now()))).toContain(ticket.id);
  });

  it('leaves a ticket waiting on the customer alone while its resolution clock is paused', async () => {
    const ticket = await open('URGENT');
    await cast.agent.client.data(AssignTicketDocument, { input: { ticketId: ticket.id, agentId: cast.agent.agent!.id } });
    await cast.agent.client.data(SendMessageDocument, { input: { ticketId: ticket.id, body: 'Can you send a screenshot?' } });
    await cast.agent.client.data(UpdateTicketStatusDocument, { input: { ticketId: ticket.id, status: 'WAITING_ON_CUSTOMER' } });
    expect(await markSlaBreaches(server.app.services, new Date(ticket.createdAt + 10 * HOUR))).not.toContain(ticket.id);
  });
});

describe('one leader across instances', () => {
  const holder = async () =>
    (
      await sql<{ pid: number }>(
        server,
        `select pid from pg_locks where locktype = 'advisory' and classid = ${0x7061726c} and objid = ${SLA_JOB_LOCK_ID} and objsubid = 2 and granted
            and database = (select oid from pg_database where datname = current_database())`,
      )
    )[0]?.pid;

  it('runs the job on the instance holding the advisory lock only, and hands over when it stops or dies', async () => {
    const first = createSlaMonitor(server.app.services, { intervalMs: 60_000 });
    const second = createSlaMonitor(server.app.services, { intervalMs: 60_000 });
    const third = createSlaMonitor(server.app.services, { intervalMs: 60_000 });
    try {
      expect(await first.tick()).toEqual(expect.any(Array));
      expect(await second.tick()).toBeNull();
      expect(first.isLeader).toBe(true);
      expect(second.isLeader).toBe(false);
      // Leadership is kept across rounds.
      expect(await first.tick()).toEqual(expect.any(Array));
      expect(await second.tick()).toBeNull();

      await first.stop();
      expect(await second.tick()).toEqual(expect.any(Array));
      expect(await third.tick()).toBeNull();

      // The leader's connection dies (a crashed instance): its lock goes with it.
      const crashed = await holder();
      await sql(server, 'select pg_terminate_backend(?)', [crashed]);
      await waitFor(async () => (await holder()) !== crashed, 5000, 'the lock to be released');
      expect(await third.tick()).toEqual(expect.any(Array));
      expect(await second.tick()).toBeNull();
      expect(second.isLeader).toBe(false);
    } finally {
      await Promise.all([first.stop(), second.stop(), third.stop()]);
    }
    expect(await holder()).toBeUndefined();
  });
});

describe('the SQL twins of the rules', () => {
  it('judge every kind of ticket as missedTargets does: the job by the clock, the rollups without it', async () => {
    const now = new Date('2026-03-10T12:00:00Z');
    const customerId = cast.customerB.user.id;
    const cases: [string, TicketRow][] = [
      ['running, on time', { customerId, createdAt: '2026-03-10T10:00Z', firstResponseDueAt: '2026-03-10T13:00Z', resolutionDueAt: '2026-03-10T20:00Z' }],
      ['running, reply overdue', { customerId, createdAt: '2026-03-10T10:00Z', firstResponseDueAt: '2026-03-10T11:00Z', resolutionDueAt: '2026-03-10T20:00Z' }],
      ['answered late', { customerId, createdAt: '2026-03-10T10:00Z', status: TicketStatus.IN_PROGRESS, firstResponseAt: '2026-03-10T11:30Z', firstResponseDueAt: '2026-03-10T11:00Z', resolutionDueAt: '2026-03-10T20:00Z' }],
      ['paused after its due date', { customerId, createdAt: '2026-03-10T06:00Z', status: TicketStatus.WAITING_ON_CUSTOMER, firstResponseAt: '2026-03-10T06:10Z', firstResponseDueAt: '2026-03-10T07:00Z', resolutionDueAt: '2026-03-10T08:00Z', slaPausedAt: '2026-03-10T09:00Z' }],
      ['paused in time', { customerId, createdAt: '2026-03-10T06:00Z', status: TicketStatus.WAITING_ON_CUSTOMER, firstResponseAt: '2026-03-10T06:10Z', firstResponseDueAt: '2026-03-10T07:00Z', resolutionDueAt: '2026-03-10T10:00Z', slaPausedAt: '2026-03-10T09:00Z' }],
      ['resolved in time', { customerId, createdAt: '2026-03-10T06:00Z', status: TicketStatus.RESOLVED, firstResponseAt: '2026-03-10T06:10Z', resolvedAt: '2026-03-10T09:00Z', firstResponseDueAt: '2026-03-10T07:00Z', resolutionDueAt: '2026-03-10T10:00Z', slaPausedAt: '2026-03-10T09:00Z' }],
      ['resolved late', { customerId, createdAt: '2026-03-10T06:00Z', status: TicketStatus.RESOLVED, firstResponseAt: '2026-03-10T06:10Z', resolvedAt: '2026-03-10T11:00Z', firstResponseDueAt: '2026-03-10T07:00Z', resolutionDueAt: '2026-03-10T10:00Z', slaPausedAt: '2026-03-10T11:00Z' }],
      ['closed without a reply, late', { customerId, createdAt: '2026-03-10T06:00Z', status: TicketStatus.CLOSED, resolvedAt: '2026-03-10T08:00Z', firstResponseDueAt: '2026-03-10T07:00Z', resolutionDueAt: '2026-03-10T10:00Z', slaPausedAt: '2026-03-10T08:00Z' }],
      ['marked by the job', { customerId, createdAt: '2026-03-10T10:00Z', firstResponseDueAt: '2026-03-10T13:00Z', resolutionDueAt: '2026-03-10T20:00Z', slaBreachedAt: '2026-03-10T11:00Z' }],
      ['no SLA', { customerId, createdAt: '2026-03-10T10:00Z', status: TicketStatus.CLOSED, resolvedAt: '2026-03-10T11:00Z' }],
    ];
    const tickets = await insertTickets(server, cases.map(([, row]) => row));
    const rows = await sql<{ id: string; job: boolean; sla_count: number; sla_met: number; sla_missed: number }>(
      server,
      `select t.id, ${slaMissedSql('t', '?::timestamptz')} as job, m.sla_count, m.sla_met, m.sla_missed
         from tickets t cross join lateral ticket_stats_measures(t, 1) m
        where t.id in (${tickets.map(() => '?').join(', ')}) and m.created <> 0`,
      [now, now, ...tickets.map((ticket) => ticket.id)],
    );
    const byId = new Map(rows.map((row) => [row.id, row]));
    for (const [index, [name]] of cases.entries()) {
      const ticket = tickets[index];
      const row = byId.get(ticket.id)!;
      const missedNow = !!ticket.slaBreachedAt || missedTargets(ticket, now).length > 0;
      // Without a clock: a running clock is never past due at the epoch.
      const missedForGood = !!ticket.slaBreachedAt || missedTargets(ticket, new Date(0)).length > 0;
      const applies = !!(ticket.firstResponseDueAt || ticket.resolutionDueAt);
      const finished = ticket.status === TicketStatus.RESOLVED || ticket.status === TicketStatus.CLOSED;
      expect({ name, job: row.job }).toEqual({ name, job: missedNow });
      expect({ name, applies: row.sla_count, missed: row.sla_missed, met: row.sla_met }).toEqual({
        name,
        applies: Number(applies),
        missed: Number(missedForGood),
        met: Number(applies && finished && !missedForGood),
      });
    }
  });
});
