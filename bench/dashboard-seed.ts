/**
 * Bulk data for the dashboard benchmark: N tickets (default 1,000,000) with about ten messages
 * each, spread over the last D days, generated inside PostgreSQL (INSERT … SELECT over
 * generate_series), so a million tickets load in minutes rather than hours.
 *
 *   DATABASE_URL=postgres://… node -r @swc-node/register bench/dashboard-seed.ts --tickets 1000000 --days 365
 *
 * The database must be migrated and otherwise empty of tickets. The rows look like what the
 * services write: statuses by age, first responses, resolutions, ratings, SLA due dates and
 * breaches under the default policy, customer and agent messages (some internal), CREATED and
 * STATUS_CHANGED history. Triggers are off during the load (as foreign keys are), so the
 * dashboard's rollups are rebuilt from the tickets and messages at the end (`rebuild_ticket_stats()`,
 * `rebuild_live_chart_participants()`); then
 * VACUUM ANALYZE, as autovacuum would, so the planner sees the tables as they will be in production.
 */
import { Client } from 'pg';

interface Options {
  tickets: number;
  days: number;
  messagesPerTicket: number;
  customers: number;
  agents: number;
  chunk: number;
}

function parseArgs(argv: string[]): Options {
  const options: Options = { tickets: 1_000_000, days: 365, messagesPerTicket: 10, customers: 100_000, agents: 50, chunk: 50_000 };
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i].replace(/^--/, '').replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase()) as keyof Options;
    const value = Number(argv[i + 1]);
    if (!(key in options) || !Number.isFinite(value) || value <= 0) throw new Error(`bad argument ${argv[i]} ${argv[i + 1]}`);
    options[key] = Math.floor(value);
  }
  return options;
}

const DEPARTMENTS = ['billing', 'technical', 'sales', 'accounts', 'general'];
const CATEGORIES = ['payment', 'login', 'bug', 'feature', 'refund', 'shipping', 'account', 'integration', 'performance', 'other'];

/** Ids shaped like ours (`xxx_` + 26 lowercase alphanumerics), distinct per kind and row number. */
const id = (prefix: string, expr: string) => `'${prefix}_' || lpad(to_hex(${expr}), 26, '0')`;

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is required');
  const db = new Client({ connectionString: url });
  await db.connect();
  const started = Date.now();
  const step = async (label: string, sql: string, params: unknown[] = []) => {
    const t = Date.now();
    const result = await db.query(sql, params);
    console.log(`${label}: ${result.rowCount ?? 0} rows in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  };

  const existing = await db.query<{ n: string }>('select count(*) as n from tickets');
  if (Number(existing.rows[0].n) > 0) throw new Error('tickets already exist: seed an empty database');
  await db.query('set synchronous_commit = off');
  await db.query(`set maintenance_work_mem = '512MB'`);
  // The rows are generated consistent; skipping the per-row foreign-key triggers halves the load.
  await db.query('set session_replication_role = replica');
  // As bulk loaders do: secondary indexes are dropped for the load and built once afterwards
  // (the same definitions, read back from the catalog); constraints stay.
  const indexes = await db.query<{ indexname: string; indexdef: string }>(
    `select i.indexname, i.indexdef from pg_indexes i
     where i.schemaname = current_schema() and i.tablename in ('tickets', 'messages', 'ticket_events')
       and not exists (select 1 from pg_constraint c where c.conname = i.indexname)`,
  );
  for (const index of indexes.rows) await db.query(`drop index "${index.indexname}"`);
  try {
    await load(options, step);
  } finally {
    await db.query('set session_replication_role = origin');
    for (const index of indexes.rows) await step(`index ${index.indexname}`, index.indexdef);
  }
  // The triggers that keep the dashboard's rollups were off for the load (replica role): rebuild them.
  await step('dashboard rollups', 'select rebuild_ticket_stats()');
  await step('live chart participants', 'select rebuild_live_chart_participants()');
  const t = Date.now();
  await db.query('vacuum analyze');
  console.log(`vacuum analyze: ${((Date.now() - t) / 1000).toFixed(1)} s`);
  console.log(`done in ${((Date.now() - started) / 60_000).toFixed(1)} min`);
  await db.end();
}

type Step = (label: string, sql: string, params?: unknown[]) => Promise<void>;

async function load(options: Options, step: Step): Promise<void> {
  await step(
    'customers',
    `insert into users (id, name, email, password_hash, role, created_at, updated_at)
     select ${id('usr', 'g')}, 'Customer ' || g, 'customer' || g || '@bench.test', 'x', 'CUSTOMER', now() - interval '400 days', now()
     from generate_series(1, $1) g`,
    [options.customers],
  );
  await step(
    'staff users',
    `insert into users (id, name, email, password_hash, role, created_at, updated_at)
     select ${id('usr', '1000000000 + g')}, 'Agent ' || g, 'agent' || g || '@bench.test', 'x',
            case when g % 10 = 0 then 'SUPERVISOR' else 'AGENT' end, now() - interval '400 days', now()
     from generate_series(1, $1) g`,
    [options.agents],
  );
  await step(
    'agents',
    `insert into agents (id, user_id, department, status, max_concurrent_tickets, created_at, updated_at)
     select ${id('agt', 'g')}, ${id('usr', '1000000000 + g')}, ($2::text[])[1 + (g - 1) % array_length($2::text[], 1)],
            (array['AVAILABLE', 'AVAILABLE', 'BUSY', 'AWAY', 'OFFLINE'])[1 + g % 5], 10, now() - interval '400 days', now()
     from generate_series(1, $1) g`,
    [options.agents, DEPARTMENTS],
  );

  // Per-priority SLA targets in minutes (the default policy): first response, resolution.
  const sla = `(case y.priority when 'URGENT' then 15 when 'HIGH' then 60 when 'NORMAL' then 240 else 1440 end)`;
  const slaRes = `(case y.priority when 'URGENT' then 240 when 'HIGH' then 480 when 'NORMAL' then 1440 else 7200 end)`;
  for (let from = 1; from <= options.tickets; from += options.chunk) {
    const to = Math.min(options.tickets, from + options.chunk - 1);
    await step(
      `tickets ${from}-${to}`,
      `with base as (
         select g,
                now() - (random() * $3::int) * interval '1 day' as created_at,
                random() as r_status, random() as r_priority, random() as r_fr, random() as r_res, random() as r_rating,
                1 + (random() * 9)::int as customer_bucket,
                (random() * ($5::int - 1))::int as agent_index,
                (random() * 9)::int as category_index,
                2 + (random() * ($4::int * 2 - 4))::int as messages
         from generate_series($1::int, $2::int) g
       ), x as (
         select b.*,
                case when b.r_priority < 0.3 then 'LOW' when b.r_priority < 0.75 then 'NORMAL' when b.r_priority < 0.93 then 'HIGH' else 'URGENT' end as priority,
                case
                  when b.created_at > now() - interval '2 days' then
                    case when b.r_status < 0.2 then 'OPEN' when b.r_status < 0.5 then 'IN_PROGRESS' when b.r_status < 0.7 then 'WAITING_ON_CUSTOMER'
                         when b.r_status < 0.9 then 'RESOLVED' else 'CLOSED' end
                  else
                    case when b.r_status < 0.005 then 'OPEN' when b.r_status < 0.012 then 'IN_PROGRESS' when b.r_status < 0.02 then 'WAITING_ON_CUSTOMER'
                         when b.r_status < 0.22 then 'RESOLVED' else 'CLOSED' end
                end as status
         from base b
       ), y as (
         select x.*,
                x.status <> 'OPEN' or x.r_fr < 0.5 as assigned,
                case when x.status <> 'OPEN' then least(now(), x.created_at + (x.r_fr * x.r_fr * x.r_fr * 300 + 1) * interval '1 minute') end as first_response_at,
                case when x.status in ('RESOLVED', 'CLOSED') then least(now(), x.created_at + (x.r_res * x.r_res * x.r_res * 2880 + 30) * interval '1 minute') end as resolved_at
         from x
       )
       insert into tickets (id, number, subject, description, status, priority, channel, category, department, tags, customer_id, assignee_id,
                            message_count, public_message_count, last_seq, last_message_at, last_public_message_at,
                            first_response_at, resolved_at, closed_at, queued_at,
                            first_response_due_at, resolution_due_at, sla_paused_at, sla_breached_at,
                            rating, rated_at, created_at, updated_at)
       select ${id('tkt', 'y.g')},
              'TKT-' || to_char(y.created_at at time zone 'UTC', 'YYYYMMDD') || '-' || lpad(y.g::text, 8, '0'),
              'Bench ticket ' || y.g, 'Generated for the dashboard benchmark.', y.status, y.priority,
              (array['WEB', 'WEB', 'MOBILE', 'EMAIL', 'API', 'MESSENGER'])[1 + y.g % 6],
              ($6::text[])[1 + y.category_index],
              case when y.g % 10 = 0 then null else ($7::text[])[1 + y.agent_index % array_length($7::text[], 1)] end,
              '{}',
              ${id('usr', `(1 + (y.g::bigint * 7919 + y.customer_bucket) % $8::int)`)},
              case when y.assigned then ${id('agt', '1 + y.agent_index')} end,
              y.messages, y.messages, y.messages,
              least(now(), coalesce(y.resolved_at, now() - interval '1 minute')), least(now(), coalesce(y.resolved_at, now() - interval '1 minute')),
              y.first_response_at, y.resolved_at,
              case when y.status = 'CLOSED' then least(now(), y.resolved_at + interval '1 day') end,
              case when not y.assigned then y.created_at end,
              y.created_at + ${sla} * interval '1 minute',
              y.created_at + ${slaRes} * interval '1 minute',
              case when y.status in ('RESOLVED', 'CLOSED') then y.resolved_at when y.status = 'WAITING_ON_CUSTOMER' then now() - interval '10 minutes' end,
              case
                when coalesce(y.first_response_at, now()) > y.created_at + ${sla} * interval '1 minute' then y.created_at + ${sla} * interval '1 minute'
                when coalesce(y.resolved_at, now()) > y.created_at + ${slaRes} * interval '1 minute' then y.created_at + ${slaRes} * interval '1 minute'
              end,
              case when y.resolved_at is not null and y.r_rating < 0.4 then 1 + floor(power(random(), 0.4) * 5)::int end,
              case when y.resolved_at is not null and y.r_rating < 0.4 then y.resolved_at + interval '1 hour' end,
              y.created_at, coalesce(y.resolved_at, now())
       from y`,
      [from, to, options.days, options.messagesPerTicket, options.agents, CATEGORIES, DEPARTMENTS, options.customers],
    );
  }
  // Today's ticket numbers must not collide with what createTicket hands out next.
  await step(
    'number sequences',
    `insert into ticket_number_sequences (day, last_value)
     select to_char(now() at time zone 'UTC', 'YYYYMMDD'), 99999999
     on conflict (day) do update set last_value = excluded.last_value`,
  );

  for (let from = 1; from <= options.tickets; from += options.chunk) {
    const to = Math.min(options.tickets, from + options.chunk - 1);
    await step(
      `messages of tickets ${from}-${to}`,
      `insert into messages (id, ticket_id, seq, author_id, author_kind, kind, body, internal, created_at)
       select ${id('msg', '(t.n::bigint * 64 + s)')}, t.id, s,
              case when s % 2 = 1 then t.customer_id else coalesce(a.user_id, t.customer_id) end,
              case when s % 2 = 1 or a.user_id is null then 'CUSTOMER' else 'AGENT' end,
              'TEXT', 'Message ' || s || ' of a benchmark conversation.',
              s % 2 = 0 and a.user_id is not null and s % 10 = 0,
              t.created_at + (coalesce(t.resolved_at, now()) - t.created_at) * (s::float / (t.message_count + 1))
       from (select id, ('x' || right(id, 15))::bit(60)::bigint as n, customer_id, assignee_id, created_at, resolved_at, message_count
             from tickets where id between ${id('tkt', '$1::int')} and ${id('tkt', '$2::int')}) t
       left join agents a on a.id = t.assignee_id
       cross join lateral generate_series(1, t.message_count) s`,
      [from, to],
    );
  }

  await step(
    'ticket history',
    `insert into ticket_events (id, ticket_id, kind, actor_id, to_status, at)
     select ${id('tev', "('x' || right(t.id, 15))::bit(60)::bigint * 2")}, t.id, 'CREATED', t.customer_id, 'OPEN', t.created_at from tickets t
     union all
     select ${id('tev', "('x' || right(t.id, 15))::bit(60)::bigint * 2 + 1")}, t.id, 'STATUS_CHANGED', null, t.status, coalesce(t.resolved_at, t.first_response_at)
     from tickets t where t.status <> 'OPEN'`,
  );

}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
