import { CreateTicketDocument, OnDashboardUpdatedDocument } from '../../__generated__/graphql';
import { dashboardFeedStats } from '../../../src/modules/dashboard';
import { createCast, type Cast } from '../../support/factories';
import { startTestServer, type TestServer } from '../../support/server';
import { connectWs, disposeWsClients, waitFor } from '../../support/ws-client';
import { sql } from './helpers';

/** Pushes at most every 600 ms per filter (2 s in production), so the throttle is quick to observe. */
const INTERVAL = 600;

let server: TestServer;
let cast: Cast;

beforeAll(async () => {
  server = await startTestServer({
    redis: true,
    env: { DASHBOARD_PUSH_INTERVAL_MS: String(INTERVAL), SLA_CHECK_INTERVAL_SECONDS: '0', DASHBOARD_MAINTENANCE_SECONDS: '0', AUTO_ASSIGN: 'false' },
  });
  cast = await createCast(server);
});
afterEach(async () => {
  await disposeWsClients();
  await waitFor(() => server.app.services.realtime.stats().streams === 0, 5000, 'streams to close');
  await waitFor(async () => (await dashboardFeedStats(server.app.services)).feeds === 0, 5000, 'feeds to close');
});
afterAll(() => server.stop());

const openTickets = (count: number, department?: string) =>
  Promise.all(
    Array.from({ length: count }, (_, i) =>
      cast.customerA.client.data(CreateTicketDocument, { input: { subject: `Burst ${i}`, description: 'Details', department } }),
    ),
  );

const totalNow = async () => (await sql<{ n: number }>(server, 'select count(*)::int as n from tickets'))[0].n;


describe('dashboardUpdated', () => {
  it('starts with the current figures, then pushes fresh ones when something changes', async () => {
    const ws = connectWs(server.wsUrl, { token: cast.supervisor.token });
    const sub = ws.subscribe(OnDashboardUpdatedDocument, {});
    const first = await sub.waitForMessage();
    expect(first.dashboardUpdated.totalTickets).toBe(await totalNow());
    const [{ createTicket }] = await openTickets(1);
    const next = await sub.waitForMessage((data) => data.dashboardUpdated.totalTickets === first.dashboardUpdated.totalTickets + 1);
    expect(next.dashboardUpdated.recentActivity[0]).toMatchObject({ kind: 'CREATED', ticket: { id: createTicket.ticket.id } });
  });

  it('computes once per filter for all its subscribers, at most once per interval, and pushes the burst as one update', async () => {
    const ws = connectWs(server.wsUrl, { token: cast.supervisor.token });
    const other = connectWs(server.wsUrl, { token: cast.admin.token });
    const a = ws.subscribe(OnDashboardUpdatedDocument, {});
    const b = other.subscribe(OnDashboardUpdatedDocument, {});
    const billing = ws.subscribe(OnDashboardUpdatedDocument, { filter: { department: 'billing' } });
    await Promise.all([a.waitForCount(1), b.waitForCount(1), billing.waitForCount(1)]);
    const feeds = await dashboardFeedStats(server.app.services);
    expect(feeds).toMatchObject({ feeds: 2, subscribers: 3 });
    // Two filters, three subscribers: two computations.
    expect(feeds.computations).toBe(2);
    const base = a.data[0].dashboardUpdated.totalTickets;

    const seen = a.data.length;
    const burstStarted = Date.now();
    await openTickets(6);
    const burst = Date.now() - burstStarted;
    await a.waitForMessage((data) => data.dashboardUpdated.totalTickets === base + 6, 5000);
    await b.waitForMessage((data) => data.dashboardUpdated.totalTickets === base + 6, 5000);

    const after = await dashboardFeedStats(server.app.services);
    const [everything] = Object.entries(after.startedAt).filter(([key]) => !key.includes('billing'));
    const runs = everything[1].filter((at) => at >= burstStarted).length;
    // Six changes: a computation as the first arrives, then at most one per interval while they last
    // (and one more for events still in flight when the last request returned).
    expect(runs).toBeLessThanOrEqual(Math.ceil(burst / INTERVAL) + 2);
    // Both subscribers of that filter got every push of those computations, the very same ones.
    expect(a.data.length - seen).toBeGreaterThanOrEqual(1);
    expect(a.data.length - seen).toBeLessThanOrEqual(runs);
    expect(b.data.map((data) => data.dashboardUpdated.totalTickets)).toEqual(a.data.map((data) => data.dashboardUpdated.totalTickets));
    // The billing screen did not change (no billing ticket), so nothing was pushed to it.
    expect(billing.data).toHaveLength(1);
  });

  it('spaces computations at least an interval apart while changes keep coming', async () => {
    const ws = connectWs(server.wsUrl, { token: cast.agent.token });
    const sub = ws.subscribe(OnDashboardUpdatedDocument, {});
    await sub.waitForCount(1);
    const base = sub.data[0].dashboardUpdated.totalTickets;
    // A change every 100 ms or so, for about a second and a half (longer on a loaded machine).
    const began = Date.now();
    for (let i = 0; i < 15; i++) {
      await openTickets(1);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await sub.waitForMessage((data) => data.dashboardUpdated.totalTickets === base + 15, 5000);
    const [starts] = Object.values((await dashboardFeedStats(server.app.services)).startedAt);
    const gaps = starts.slice(1).map((at, i) => at - starts[i]);
    expect(gaps.length).toBeGreaterThanOrEqual(2);
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(INTERVAL - 5);
    // Fifteen changes, no more computations than the interval allows in the time they took
    // (far fewer than fifteen when changes come faster than the interval).
    expect(sub.data.length - 1).toBeLessThanOrEqual(starts.length);
    expect(starts.length).toBeLessThanOrEqual(Math.ceil((Date.now() - began) / INTERVAL) + 1);
  });

  it('re-authorizes each push: a subscriber who is no longer staff is cut off', async () => {
    const ws = connectWs(server.wsUrl, { token: cast.agent.token });
    const sub = ws.subscribe(OnDashboardUpdatedDocument, {});
    await sub.waitForCount(1);
    await sql(server, `update users set role = 'CUSTOMER' where id = ?`, [cast.agent.user.id]);
    try {
      // The realtime layer may reuse a viewer check for up to a second: keep changing things until
      // a push is attempted after the demotion is seen.
      let errors: Awaited<ReturnType<typeof sub.waitForError>> | null = null;
      for (let attempt = 0; attempt < 10 && !errors; attempt++) {
        await openTickets(1);
        errors = await sub.waitForError(INTERVAL + 400).catch(() => null);
      }
      expect(errors?.[0].extensions?.code).toBe('FORBIDDEN');
    } finally {
      await sql(server, `update users set role = 'AGENT' where id = ?`, [cast.agent.user.id]);
    }
  });
});
