import { AgentPerformanceDocument, LiveChartDocument } from '../../__generated__/graphql';
import { maintainDashboard } from '../../../src/modules/dashboard';
import { MessageAuthorKind } from '../../../src/modules/messages/message.enums';
import { useFixedClock, useSystemClock } from '../../../src/modules/sla';
import { TicketStatus } from '../../../src/modules/tickets/ticket.enums';
import { createAgentActor, createCast, createCustomer, type Actor, type Cast } from '../../support/factories';
import { startTestServer, type TestServer } from '../../support/server';
import { fork, insertMessages, insertTickets, sql } from './helpers';

const NOW = '2026-03-10T15:30:00Z';

let server: TestServer;
let cast: Cast;
let agentB: Actor;
let carol: Actor;

beforeAll(async () => {
  useFixedClock(NOW);
  server = await startTestServer({ env: { SLA_CHECK_INTERVAL_SECONDS: '0', DASHBOARD_MAINTENANCE_SECONDS: '0' } });
  cast = await createCast(server);
  agentB = await createAgentActor(server, { name: 'Ben Agent', department: 'technical' });
  carol = await createCustomer(server, { name: 'Carol Customer' });
  const alice = cast.customerA.user.id;
  const bob = cast.customerB.user.id;
  const ada = cast.agent.user.id;
  const ben = agentB.user.id;
  const [conversation, , , lateOne] = await insertTickets(server, [
    { customerId: alice, createdAt: '2026-03-10T11:00:00Z', assigneeId: cast.agent.agent!.id, status: TicketStatus.IN_PROGRESS },
    // Carol opens a ticket at 13:30: she counts as a customer of that hour without writing.
    { customerId: carol.user.id, createdAt: '2026-03-10T13:30:00Z' },
    { customerId: bob, createdAt: '2026-03-09T10:00:00Z', status: TicketStatus.RESOLVED, resolvedAt: '2026-03-10T14:30:00Z', assigneeId: agentB.agent!.id },
    { customerId: bob, createdAt: '2026-03-09T10:00:00Z', status: TicketStatus.RESOLVED, resolvedAt: '2026-03-10T15:20:00Z', assigneeId: agentB.agent!.id },
    // Resolved after "now": not on the chart.
    { customerId: bob, createdAt: '2026-03-09T10:00:00Z', status: TicketStatus.RESOLVED, resolvedAt: '2026-03-10T15:40:00Z' },
  ]);
  await insertMessages(server, [
    { ticketId: conversation.id, authorId: alice, authorKind: MessageAuthorKind.CUSTOMER, createdAt: '2026-03-10T13:05:00Z' },
    { ticketId: conversation.id, authorId: alice, authorKind: MessageAuthorKind.CUSTOMER, createdAt: '2026-03-10T13:20:00Z' },
    { ticketId: conversation.id, authorId: ada, authorKind: MessageAuthorKind.AGENT, createdAt: '2026-03-10T13:40:00Z' },
    // An internal note is not a reply.
    { ticketId: conversation.id, authorId: ben, authorKind: MessageAuthorKind.AGENT, createdAt: '2026-03-10T13:50:00Z', internal: true },
    { ticketId: conversation.id, authorId: ben, authorKind: MessageAuthorKind.AGENT, createdAt: '2026-03-10T14:10:00Z' },
    { ticketId: conversation.id, authorId: ada, authorKind: MessageAuthorKind.AGENT, createdAt: '2026-03-10T14:15:00Z' },
    { ticketId: conversation.id, authorId: null, authorKind: MessageAuthorKind.SYSTEM, createdAt: '2026-03-10T14:20:00Z' },
    { ticketId: lateOne.id, authorId: bob, authorKind: MessageAuthorKind.CUSTOMER, createdAt: '2026-03-10T15:05:00Z' },
    // Bob again, later in the hour: still one customer.
    { ticketId: lateOne.id, authorId: bob, authorKind: MessageAuthorKind.CUSTOMER, createdAt: '2026-03-10T15:45:00Z' },
  ]);
});

afterAll(async () => {
  useSystemClock();
  await server.stop();
});

const EXPECTED_POINTS = [
  { hour: '2026-03-10T13:00:00.000Z', customers: 2, support: 1, resolved: 0 },
  { hour: '2026-03-10T14:00:00.000Z', customers: 0, support: 2, resolved: 1 },
  { hour: '2026-03-10T15:00:00.000Z', customers: 1, support: 0, resolved: 1 },
];

describe('liveChart', () => {
  it('counts, hour by hour, customers who opened or wrote, agents who replied, and resolutions, with their means', async () => {
    const { liveChart } = await cast.supervisor.client.data(LiveChartDocument, { hours: 3 });
    expect(liveChart.points).toEqual(EXPECTED_POINTS);
    expect(liveChart.avgCustomers).toBe(1);
    expect(liveChart.avgSupport).toBe(1);
    expect(liveChart.avgResolved).toBe(0.67);
  });

  it('shows the last 6 hours by default, quiet hours as zeros', async () => {
    const { liveChart } = await cast.agent.client.data(LiveChartDocument, {});
    expect(liveChart.points.map((point) => point.hour)).toEqual([
      '2026-03-10T10:00:00.000Z',
      '2026-03-10T11:00:00.000Z',
      '2026-03-10T12:00:00.000Z',
      '2026-03-10T13:00:00.000Z',
      '2026-03-10T14:00:00.000Z',
      '2026-03-10T15:00:00.000Z',
    ]);
    // Alice opened her ticket at 11:00.
    expect(liveChart.points[1]).toEqual({ hour: '2026-03-10T11:00:00.000Z', customers: 1, support: 0, resolved: 0 });
    expect(liveChart.points[2]).toEqual({ hour: '2026-03-10T12:00:00.000Z', customers: 0, support: 0, resolved: 0 });
  });

  it('accepts 1 to 168 hours', async () => {
    await cast.supervisor.client.error('BAD_USER_INPUT', LiveChartDocument, { hours: 0 });
    await cast.supervisor.client.error('BAD_USER_INPUT', LiveChartDocument, { hours: 169 });
    const { liveChart } = await cast.supervisor.client.data(LiveChartDocument, { hours: 168 });
    expect(liveChart.points).toHaveLength(168);
  });

  it('counts from the participants the triggers keep, and forgets them once no chart can show them', async () => {
    const rows = await sql<{ hour: string; kind: string; count: number }>(
      server,
      `select to_char(hour at time zone 'UTC', 'HH24:MI') as hour, kind, count(*)::int as count from live_chart_participants
        where hour >= '2026-03-10T13:00:00Z' group by 1, 2 order by 1, 2`,
    );
    expect(rows).toEqual([
      { hour: '13:00', kind: 'AGENT', count: 1 },
      { hour: '13:00', kind: 'CUSTOMER', count: 2 },
      { hour: '14:00', kind: 'AGENT', count: 2 },
      { hour: '15:00', kind: 'CUSTOMER', count: 1 },
    ]);
    // Eight days later, the chart's longest window (a week) no longer reaches that afternoon.
    const { pruned } = await maintainDashboard(fork(server), new Date('2026-03-18T16:00:00Z'));
    expect(pruned).toBeGreaterThan(0);
    const [{ left }] = await sql<{ left: number }>(server, `select count(*)::int as "left" from live_chart_participants where hour < '2026-03-10T16:00:00Z'`);
    expect(left).toBe(0);
  });
});

describe('agentPerformance', () => {
  it('gives each active agent a line, the busiest first, with their tickets of the range', async () => {
    const lines = (await cast.supervisor.client.data(AgentPerformanceDocument, {})).agentPerformance;
    const byAgent = Object.fromEntries(lines.map((line) => [line.agent.id, line]));
    expect(lines.map((line) => line.agent.id).slice(0, 2)).toEqual([agentB.agent!.id, cast.agent.agent!.id]);
    expect(byAgent[agentB.agent!.id]).toMatchObject({ assigned: 2, resolved: 2, avgFirstResponseSeconds: null, avgResolutionSeconds: (102_600 + 105_600) / 2 });
    expect(byAgent[cast.agent.agent!.id]).toMatchObject({ assigned: 1, resolved: 0, avgResolutionSeconds: null, customerSatisfaction: null });
    // Everyone on the team has a line, even without tickets.
    expect(byAgent[cast.supervisor.agent!.id]).toMatchObject({ assigned: 0, resolved: 0 });
    expect(lines).toHaveLength(4);
  });

  it('narrows to a department (its tickets and its agents)', async () => {
    const lines = (await cast.admin.client.data(AgentPerformanceDocument, { filter: { department: 'technical' } })).agentPerformance;
    expect(lines.map((line) => [line.agent.id, line.assigned])).toEqual([[agentB.agent!.id, 0]]);
  });
});
