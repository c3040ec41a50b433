/**
 * Times the dashboard on a big database (see bench/dashboard-seed.ts): GraphQL round trips through
 * the real server, and EXPLAIN ANALYZE of every statement each operation runs.
 *
 *   DATABASE_URL=postgres://… node -r @swc-node/register bench/dashboard-measure.ts [--runs 10]
 */
import 'reflect-metadata';
import type { EntityManager } from '@mikro-orm/postgresql';
import pino from 'pino';
import { loadConfig } from '../src/config';
import { Session } from '../src/modules/accounts/session.entity';
import { User } from '../src/modules/accounts/user.entity';
import { createApp } from '../src/server/app';
import { Role } from '../src/shared/roles';

const OPERATIONS: Record<string, { query: string; variables?: Record<string, unknown> }> = {
  'viewer (baseline: HTTP, auth, GraphQL)': { query: '{ viewer { id name } }' },
  'dashboardStats (default: last 30 days)': { query: '{ dashboardStats { ...All } }' },
  'dashboardStats (department)': { query: '{ dashboardStats(filter: { department: "billing" }) { ...All } }' },
  'dashboardStats (agent)': { query: 'query($id: ID!) { dashboardStats(filter: { agentId: $id }) { ...All } }' },
  'dashboardStats (last 7 days, ragged ends)': { query: 'query($from: DateTime!) { dashboardStats(filter: { from: $from }) { ...All } }' },
  'liveChart(hours: 24)': { query: '{ liveChart(hours: 24) { points { hour customers support resolved } avgCustomers avgSupport avgResolved } }' },
  'liveChart(hours: 168)': { query: '{ liveChart(hours: 168) { points { hour customers support resolved } avgCustomers avgSupport avgResolved } }' },
  'agentPerformance (last 30 days)': {
    query: '{ agentPerformance { agent { id department } assigned resolved avgFirstResponseSeconds avgResolutionSeconds customerSatisfaction } }',
  },
};

const FRAGMENT = `fragment All on DashboardStats {
  totalTickets openTickets inProgressTickets waitingTickets resolvedTickets closedTickets resolvedToday
  avgFirstResponseSeconds avgResolutionSeconds customerSatisfaction slaMetPercent onlineAgents totalAgents
  ticketsByStatus { key count } ticketsByPriority { key count } ticketsByCategory { key count } ticketsByDepartment { key count }
  dailyCounts { date created resolved } recentActivity { kind at ticket { id number } actor { id name } }
}`;

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function main(): Promise<void> {
  const runsArg = process.argv.indexOf('--runs');
  const runs = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 10;
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) throw new Error('DATABASE_URL is required');
  const config = loadConfig({
    ...process.env,
    NODE_ENV: 'production',
    JWT_SECRET: 'bench-secret-bench-secret-bench-secret-0',
    MIGRATE_ON_START: 'false',
    LOG_LEVEL: 'warn',
    // Nothing but the requests measured touches the database: no background job, no routing.
    SLA_CHECK_INTERVAL_SECONDS: '0',
    DASHBOARD_MAINTENANCE_SECONDS: '0',
    JOBS_WORKER: 'false',
    AUTO_ACK_DELAY_MS: '0',
    AUTO_ASSIGN: 'false',
    PRESENCE_GRACE_SECONDS: '86400',
  });
  const app = await createApp({ config, logger: pino({ level: 'warn' }), databaseUrl });
  const port = await app.listen(0, '127.0.0.1');
  const em = app.services.orm.em.fork() as EntityManager;
  try {
    const supervisor = await em.findOneOrFail(User, { role: Role.SUPERVISOR });
    const session = em.create(Session, { user: supervisor, expiresAt: new Date(Date.now() + 3_600_000) });
    await em.flush();
    const { token } = await app.services.tokens.issue(supervisor.id, Role.SUPERVISOR, session.id);
    const [{ id: agentId }] = await em.getConnection().execute<{ id: string }[]>(
      `select assignee_id as id from tickets where assignee_id is not null group by 1 order by count(*) desc limit 1`,
    );
    const variables = { id: agentId, from: new Date(Date.now() - 7 * 86_400_000 - 1234).toISOString() };

    const statements: string[] = [];
    let capturing = false;
    const knex = em.getConnection().getKnex();
    knex.on('query', (query: { sql: string; bindings?: unknown[] }) => {
      // Reads only: EXPLAIN ANALYZE runs what it explains.
      // The statistics go as `set local jit = off; <statement>` (one simple query): explain the statement.
      const sql = query.sql.replace(/^\s*set local jit = off;\s*/i, '');
      if (capturing && /^\s*(select|with)\b/i.test(sql)) statements.push(knex.raw(sql, (query.bindings ?? []) as never).toQuery());
    });

    const call = async (name: string) => {
      const operation = OPERATIONS[name];
      const query = operation.query.includes('...All') ? `${operation.query}\n${FRAGMENT}` : operation.query;
      const started = performance.now();
      const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await response.json()) as { errors?: unknown };
      if (body.errors) throw new Error(`${name}: ${JSON.stringify(body.errors)}`);
      return performance.now() - started;
    };

    const report = async (name: string) => {
      await call(name); // warm-up
      const times: number[] = [];
      for (let i = 0; i < runs; i++) times.push(await call(name));
      statements.length = 0;
      capturing = true;
      await call(name);
      capturing = false;
      const plans: string[] = [];
      for (const statement of [...statements]) {
        // As the dashboard runs them: JIT off (see dashboard.queries.ts).
        const rows = await em.transactional(async (tx) => {
          await tx.getConnection().execute('set local jit = off', [], 'run', tx.getTransactionContext());
          return tx.getConnection().execute<{ 'QUERY PLAN': string }[]>(`explain (analyze, buffers) ${statement}`, [], 'all', tx.getTransactionContext());
        });
        const execution = rows.map((row) => row['QUERY PLAN']).find((line) => line.startsWith('Execution Time'));
        plans.push(`    ${execution?.replace('Execution Time: ', '').padStart(11)}  ${statement.replace(/\s+/g, ' ').slice(0, 110)}`);
      }
      console.log(
        `${name}: round trip median ${percentile(times, 50).toFixed(1)} ms, p90 ${percentile(times, 90).toFixed(1)} ms, max ${Math.max(...times).toFixed(1)} ms (${runs} runs)`,
      );
      console.log(`  EXPLAIN ANALYZE, ${plans.length} statements:\n${plans.join('\n')}`);
    };

    const [{ tickets, messages }] = await em.getConnection().execute<{ tickets: number; messages: number }[]>(
      'select (select count(*) from tickets)::int as tickets, (select count(*) from messages)::int as messages',
    );
    const [sizes] = await em.getConnection().execute<Record<string, number>[]>(
      `select (select count(*) from ticket_stats_hourly)::int as by_department, (select count(*) from ticket_agent_stats_hourly)::int as by_agent,
              (select count(*) from ticket_category_stats_hourly)::int as by_category, (select count(*) from ticket_stats_deltas)::int as deltas,
              (select count(*) from live_chart_participants)::int as chart_participants`,
    );
    console.log(`${tickets} tickets, ${messages} messages; rollup rows: ${JSON.stringify(sizes)}`);

    for (const name of Object.keys(OPERATIONS)) await report(name);
  } finally {
    await app.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
