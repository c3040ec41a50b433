import { DashboardStatsDocument, type DashboardStatsQuery } from '../../__generated__/graphql';
import { useFixedClock, useSystemClock } from '../../../src/modules/sla';
import { TicketEventKind, TicketPriority, TicketStatus } from '../../../src/modules/tickets/ticket.enums';
import { createAgentActor, createCast, type Actor, type Cast } from '../../support/factories';
import { startTestServer, type TestServer } from '../../support/server';
import { countOf, insertEvent, insertTickets, sql } from './helpers';

/**
 * One constructed week of support, the clock frozen on Tuesday 2026-03-10 15:30 UTC. Every figure
 * below is worked out by hand from the rows inserted in beforeAll.
 */
const NOW = '2026-03-10T15:30:00Z';
const QUIET = { SLA_CHECK_INTERVAL_SECONDS: '0', DASHBOARD_MAINTENANCE_SECONDS: '0' };

let server: TestServer;
let cast: Cast;
let agentB: Actor;
const ids: Record<string, string> = {};

beforeAll(async () => {
  useFixedClock(NOW);
  server = await startTestServer({ env: QUIET });
  cast = await createCast(server);
  agentB = await createAgentActor(server, { name: 'Ben Agent', department: 'technical' });
  await sql(server, `update agents set status = 'AVAILABLE' where id = ?`, [cast.agent.agent!.id]);
  const agentA = cast.agent.agent!.id;
  const customer = cast.customerA.user.id;
  const other = cast.customerB.user.id;
  const [t1, t2, t3, t4, t5, t6, t7, t8, t9] = await insertTickets(server, [
    // T1: answered in 10 min, resolved in 90 min, rated 5, within its URGENT targets.
    {
      customerId: customer,
      createdAt: '2026-03-10T09:10:00Z',
      status: TicketStatus.RESOLVED,
      priority: TicketPriority.URGENT,
      department: 'billing',
      category: 'payment',
      assigneeId: agentA,
      firstResponseAt: '2026-03-10T09:20:00Z',
      resolvedAt: '2026-03-10T10:40:00Z',
      rating: 5,
      firstResponseDueAt: '2026-03-10T09:25:00Z',
      resolutionDueAt: '2026-03-10T13:10:00Z',
      slaPausedAt: '2026-03-10T10:40:00Z',
    },
    // T2: answered in 30 min, waiting on the customer (SLA still running, not decided).
    {
      customerId: other,
      createdAt: '2026-03-10T11:20:00Z',
      status: TicketStatus.WAITING_ON_CUSTOMER,
      priority: TicketPriority.HIGH,
      department: 'billing',
      category: 'payment',
      assigneeId: agentA,
      firstResponseAt: '2026-03-10T11:50:00Z',
      firstResponseDueAt: '2026-03-10T12:20:00Z',
      resolutionDueAt: '2026-03-10T19:20:00Z',
      slaPausedAt: '2026-03-10T12:00:00Z',
    },
    // T3: late Monday evening, answered and closed two hours later, rated 3, on time.
    {
      customerId: customer,
      createdAt: '2026-03-09T23:50:00Z',
      status: TicketStatus.CLOSED,
      department: 'technical',
      category: 'login',
      assigneeId: agentB.agent!.id,
      firstResponseAt: '2026-03-10T01:50:00Z',
      resolvedAt: '2026-03-10T01:50:00Z',
      rating: 3,
      firstResponseDueAt: '2026-03-10T03:50:00Z',
      resolutionDueAt: '2026-03-10T23:50:00Z',
      slaPausedAt: '2026-03-10T01:50:00Z',
    },
    // T4: unanswered since Sunday; its first-response clock ran out Monday noon (the job has not run).
    {
      customerId: other,
      createdAt: '2026-03-08T12:00:00Z',
      priority: TicketPriority.LOW,
      department: 'technical',
      firstResponseDueAt: '2026-03-09T12:00:00Z',
      resolutionDueAt: '2026-03-13T12:00:00Z',
    },
    // T5: answered after 5 hours (4 allowed: a miss), resolved in exactly 24 hours, rated 4; no department.
    {
      customerId: customer,
      createdAt: '2026-03-05T08:00:00Z',
      status: TicketStatus.RESOLVED,
      category: 'login',
      assigneeId: agentB.agent!.id,
      firstResponseAt: '2026-03-05T13:00:00Z',
      resolvedAt: '2026-03-06T08:00:00Z',
      rating: 4,
      firstResponseDueAt: '2026-03-05T12:00:00Z',
      resolutionDueAt: '2026-03-06T08:00:00Z',
      slaPausedAt: '2026-03-06T08:00:00Z',
    },
    // T6: created in January (outside the range), resolved this morning.
    {
      customerId: other,
      createdAt: '2026-01-20T10:00:00Z',
      status: TicketStatus.RESOLVED,
      department: 'billing',
      assigneeId: agentA,
      firstResponseAt: '2026-01-20T10:05:00Z',
      resolvedAt: '2026-03-10T08:00:00Z',
    },
    // T7: opened in the current hour, no SLA.
    { customerId: other, createdAt: '2026-03-10T15:10:00Z', department: 'billing', category: 'refund' },
    // T8, T9: either side of midnight in India (18:30 UTC), in the same UTC hour.
    { customerId: customer, createdAt: '2026-03-09T18:20:00Z', priority: TicketPriority.LOW, department: 'technical', category: 'login' },
    { customerId: customer, createdAt: '2026-03-09T18:40:00Z', priority: TicketPriority.LOW, department: 'technical', category: 'login' },
  ]);
  Object.assign(ids, { t1: t1.id, t2: t2.id, t3: t3.id, t4: t4.id, t5: t5.id, t6: t6.id, t7: t7.id, t8: t8.id, t9: t9.id });
  await insertEvent(server, t1.id, TicketEventKind.CREATED, '2026-03-10T09:10:00Z', customer);
  await insertEvent(server, t1.id, TicketEventKind.STATUS_CHANGED, '2026-03-10T10:40:00Z', cast.agent.user.id);
  await insertEvent(server, t3.id, TicketEventKind.STATUS_CHANGED, '2026-03-10T01:50:00Z');
  await insertEvent(server, t6.id, TicketEventKind.CREATED, '2026-01-20T10:00:00Z');
});

afterAll(async () => {
  useSystemClock();
  await server.stop();
});

type Stats = DashboardStatsQuery['dashboardStats'];

async function stats(actor: Actor, filter?: Record<string, unknown>, on: TestServer = server): Promise<Stats> {
  const client = on === server ? actor.client : on.client(actor.token);
  return (await client.data(DashboardStatsDocument, { filter })).dashboardStats;
}

const nonZeroDays = (s: Stats) => s.dailyCounts.filter((day) => day.created || day.resolved);

describe('dashboardStats on a constructed dataset (UTC)', () => {
  it('counts the tickets of the last 30 days by status, priority, category and department', async () => {
    const s = await stats(cast.supervisor);
    expect(s).toMatchObject({
      totalTickets: 8,
      openTickets: 4,
      inProgressTickets: 0,
      waitingTickets: 1,
      resolvedTickets: 2,
      closedTickets: 1,
    });
    expect(s.ticketsByStatus).toEqual([
      { key: 'OPEN', count: 4 },
      { key: 'IN_PROGRESS', count: 0 },
      { key: 'WAITING_ON_CUSTOMER', count: 1 },
      { key: 'RESOLVED', count: 2 },
      { key: 'CLOSED', count: 1 },
    ]);
    expect(s.ticketsByPriority).toEqual([
      { key: 'URGENT', count: 1 },
      { key: 'HIGH', count: 1 },
      { key: 'NORMAL', count: 3 },
      { key: 'LOW', count: 3 },
    ]);
    expect(s.ticketsByCategory).toEqual([
      { key: 'login', count: 4 },
      { key: 'payment', count: 2 },
      { key: '(none)', count: 1 },
      { key: 'refund', count: 1 },
    ]);
    expect(s.ticketsByDepartment).toEqual([
      { key: 'technical', count: 4 },
      { key: 'billing', count: 3 },
      { key: '(none)', count: 1 },
    ]);
  });

  it('averages response and resolution times and ratings, and the share of decided SLAs that were met', async () => {
    const s = await stats(cast.admin);
    expect(s.avgFirstResponseSeconds).toBe((600 + 1800 + 7200 + 18000) / 4);
    expect(s.avgResolutionSeconds).toBe((5400 + 7200 + 86400) / 3);
    expect(s.customerSatisfaction).toBe(4);
    // Met: T1, T3. Missed: T5 (late reply), T4 (clock ran out, not marked yet). T2 is undecided.
    expect(s.slaMetPercent).toBe(50);
  });

  it('has a day for each of the 30 days, zeros included, and counts resolutions on the day they happened', async () => {
    const s = await stats(cast.agent);
    expect(s.dailyCounts).toHaveLength(30);
    expect(s.dailyCounts[0]).toEqual({ date: '2026-02-09', created: 0, resolved: 0 });
    expect(nonZeroDays(s)).toEqual([
      { date: '2026-03-05', created: 1, resolved: 0 },
      { date: '2026-03-06', created: 0, resolved: 1 },
      { date: '2026-03-08', created: 1, resolved: 0 },
      { date: '2026-03-09', created: 3, resolved: 0 },
      { date: '2026-03-10', created: 3, resolved: 3 },
    ]);
    expect(s.dailyCounts.reduce((sum, day) => sum + day.created, 0)).toBe(s.totalTickets);
    // T1, T3 and T6 (created in January) were resolved today.
    expect(s.resolvedToday).toBe(3);
  });

  it('tells who is online, and the latest history of the range, newest first', async () => {
    const s = await stats(cast.supervisor);
    expect(s.onlineAgents).toBe(1);
    expect(s.totalAgents).toBe(4);
    expect(s.recentActivity.map((event) => [event.ticket.id, event.kind])).toEqual([
      [ids.t1, 'STATUS_CHANGED'],
      [ids.t1, 'CREATED'],
      [ids.t3, 'STATUS_CHANGED'],
    ]);
    expect(s.recentActivity[0].actor).toEqual({ id: cast.agent.user.id });
    expect(s.recentActivity[2].actor).toBeNull();
  });

  it('reads the recent activity with its tickets and actors: their fields read nothing more', async () => {
    const { statements, result } = await server.countQueries(() => stats(cast.supervisor));
    expect(result.recentActivity[0]).toMatchObject({ ticket: { id: ids.t1, number: expect.stringMatching(/^TKT-/) }, actor: { id: cast.agent.user.id } });
    // The session check, then the figures' statements side by side (five: today is inside the range);
    // no ticket or user read by id after them.
    expect(statements.filter((sql) => /from "(tickets|users)" where "id" in/.test(sql))).toEqual([]);
    expect(statements).toHaveLength(6);
  });

  it('covers exactly [from, to), minutes included, on both ragged ends', async () => {
    const s = await stats(cast.supervisor, { from: '2026-03-10T09:30:00Z', to: '2026-03-10T11:25:00Z' });
    expect(s.totalTickets).toBe(1);
    expect(s.waitingTickets).toBe(1);
    expect(s.avgFirstResponseSeconds).toBe(1800);
    expect(s.dailyCounts).toEqual([{ date: '2026-03-10', created: 1, resolved: 1 }]);
    const tail = await stats(cast.supervisor, { from: '2026-03-10T15:05:00Z', to: '2026-03-10T15:11:00Z' });
    expect(tail.totalTickets).toBe(1);
    expect(countOf(tail.ticketsByCategory, 'refund')).toBe(1);
    const before = await stats(cast.supervisor, { from: '2026-03-10T15:05:00Z', to: '2026-03-10T15:10:00Z' });
    expect(before.totalTickets).toBe(0);
  });

  it("filters by the ticket's department", async () => {
    const s = await stats(cast.supervisor, { department: 'billing' });
    expect(s).toMatchObject({ totalTickets: 3, openTickets: 1, waitingTickets: 1, resolvedTickets: 1, resolvedToday: 2, onlineAgents: 1, totalAgents: 2 });
    expect(s.slaMetPercent).toBe(100);
    expect(s.ticketsByDepartment).toEqual([{ key: 'billing', count: 3 }]);
    expect(s.recentActivity.map((event) => event.ticket.id)).toEqual([ids.t1, ids.t1]);
  });

  it('filters by assignee', async () => {
    const s = await stats(cast.supervisor, { agentId: cast.agent.agent!.id });
    expect(s).toMatchObject({ totalTickets: 2, resolvedToday: 2, avgFirstResponseSeconds: 1200, onlineAgents: 1, totalAgents: 1 });
    expect(s.ticketsByCategory).toEqual([{ key: 'payment', count: 2 }]);
    expect(s.ticketsByPriority.filter((row) => row.count)).toEqual([
      { key: 'URGENT', count: 1 },
      { key: 'HIGH', count: 1 },
    ]);
  });

  it('gives the same figures whether the changes are folded into the rollups or rebuilt from the tickets', async () => {
    const filters = [undefined, { department: 'technical' }, { agentId: agentB.agent!.id }, { from: '2026-03-09T18:05:00Z', to: '2026-03-10T10:41:00Z' }];
    const before = await Promise.all(filters.map((filter) => stats(cast.admin, filter)));
    const [{ moved }] = await sql<{ moved: number }>(server, 'select fold_ticket_stats(100000) as moved');
    expect(moved).toBeGreaterThan(0);
    expect(await Promise.all(filters.map((filter) => stats(cast.admin, filter)))).toEqual(before);
    await sql(server, 'select rebuild_ticket_stats()');
    expect(await Promise.all(filters.map((filter) => stats(cast.admin, filter)))).toEqual(before);
  });
});

describe('day boundaries in the statistics time zone', () => {
  it('follows New York (EDT since Sunday): Monday evening there is still Monday', async () => {
    const newYork = await startTestServer({ databaseUrl: server.databaseUrl, env: { ...QUIET, STATS_TIME_ZONE: 'America/New_York' } });
    try {
      const s = await stats(cast.supervisor, undefined, newYork);
      expect(s.dailyCounts).toHaveLength(30);
      expect(s.dailyCounts[0].date).toBe('2026-02-09');
      expect(nonZeroDays(s)).toEqual([
        { date: '2026-03-05', created: 1, resolved: 0 },
        { date: '2026-03-06', created: 0, resolved: 1 },
        { date: '2026-03-08', created: 1, resolved: 0 },
        { date: '2026-03-09', created: 3, resolved: 1 },
        { date: '2026-03-10', created: 3, resolved: 2 },
      ]);
      // T3 was resolved at 21:50 Monday, New York time: not today.
      expect(s.resolvedToday).toBe(2);
    } finally {
      await newYork.stop();
    }
  });

  it('follows India (+05:30), splitting the UTC hour its midnight falls in', async () => {
    const india = await startTestServer({ databaseUrl: server.databaseUrl, env: { ...QUIET, STATS_TIME_ZONE: 'Asia/Kolkata' } });
    try {
      for (const fold of [false, true]) {
        if (fold) await sql(server, 'select fold_ticket_stats(100000)');
        const s = await stats(cast.supervisor, undefined, india);
        expect(nonZeroDays(s)).toEqual([
          { date: '2026-03-05', created: 1, resolved: 0 },
          { date: '2026-03-06', created: 0, resolved: 1 },
          { date: '2026-03-08', created: 1, resolved: 0 },
          { date: '2026-03-09', created: 1, resolved: 0 },
          { date: '2026-03-10', created: 5, resolved: 3 },
        ]);
        expect(s.totalTickets).toBe(8);
        expect(s.resolvedToday).toBe(3);
      }
    } finally {
      await india.stop();
    }
  });
});
