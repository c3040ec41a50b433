/**
 * The data of the list, send and fan-out benchmarks: `tickets` tickets with exactly
 * `messagesPerTicket` messages each (customer and agent taking turns, every tenth message of an
 * assigned ticket an internal note), their customers and agents, and a live session for every
 * agent and for the customers of the first `sessionTickets` tickets (the fan-out subscribers).
 * Generated inside PostgreSQL (INSERT … SELECT over generate_series), so 10,000 tickets and
 * 200,000 messages load in seconds. Ids are shaped like Parley's (`tkt_` + 26 characters).
 */
import { Client } from 'pg';

export interface ConversationSeed {
  tickets: number;
  messagesPerTicket: number;
  customers: number;
  agents: number;
  /** Customers of tickets 1..sessionTickets get a session (fan-out subscribers). */
  sessionTickets: number;
}

export const DEFAULT_CONVERSATIONS: ConversationSeed = { tickets: 10_000, messagesPerTicket: 20, customers: 5_000, agents: 50, sessionTickets: 2_000 };

/** Ids shaped like ours, distinct per kind and row number. */
export const sqlId = (prefix: string, expr: string) => `'${prefix}_' || lpad(to_hex(${expr}), 26, '0')`;
export const benchId = (prefix: string, n: number) => `${prefix}_${n.toString(16).padStart(26, '0')}`;

const PHRASES = [
  'I was charged twice for my subscription this month, can you check the invoice?',
  'Thanks, I have refunded the duplicate charge; it should show within five working days.',
  'The app logs me out every few minutes since the last update, on both phone and laptop.',
  'Could you tell me which version you are on and whether clearing the cache helps?',
  'Our export to CSV stops at ten thousand rows, is that a limit on our plan?',
  'That limit was lifted last week; please try again and let me know if it still stops.',
  'The delivery was marked as received but nothing arrived at the office.',
  'I have opened an investigation with the carrier and will update you tomorrow.',
];

export async function seedConversations(url: string, options: ConversationSeed, log: (line: string) => void): Promise<void> {
  const db = new Client({ connectionString: url });
  await db.connect();
  const step = async (label: string, sql: string, params: unknown[] = []) => {
    const started = Date.now();
    const result = await db.query(sql, params);
    log(`  ${label}: ${result.rowCount ?? 0} rows in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  };
  try {
    await db.query('set synchronous_commit = off');
    // Consistent rows, loaded in dependency order: the per-row foreign-key and rollup triggers are
    // skipped (replica role) and the rollups rebuilt at the end, as bench/dashboard-seed.ts does.
    await db.query('set session_replication_role = replica');
    await step(
      'customers',
      `insert into users (id, name, email, password_hash, role, created_at, updated_at)
       select ${sqlId('usr', 'g')}, 'Customer ' || g, 'customer' || g || '@bench.test', 'x', 'CUSTOMER', now() - interval '60 days', now()
       from generate_series(1, $1::int) g`,
      [options.customers],
    );
    await step(
      'staff',
      `insert into users (id, name, email, password_hash, role, created_at, updated_at)
       select ${sqlId('usr', '1000000000 + g')}, 'Agent ' || g, 'agent' || g || '@bench.test', 'x', 'AGENT', now() - interval '60 days', now()
       from generate_series(1, $1::int) g`,
      [options.agents],
    );
    await step(
      'agents',
      `insert into agents (id, user_id, department, status, max_concurrent_tickets, created_at, updated_at)
       select ${sqlId('agt', 'g')}, ${sqlId('usr', '1000000000 + g')}, (array['billing', 'technical', 'sales'])[1 + g % 3], 'OFFLINE', 1000,
              now() - interval '60 days', now()
       from generate_series(1, $1::int) g`,
      [options.agents],
    );
    // One in ten tickets waits unassigned; the others belong to an agent. No SLA targets are set,
    // so the breach job finds nothing to do while the benchmark runs.
    await step(
      'tickets',
      `with base as (
         select g, now() - interval '30 days' + (g::float / $1::int) * interval '30 days' as created_at, g % 10 <> 0 as assigned
         from generate_series(1, $1::int) g
       )
       insert into tickets (id, number, subject, description, status, priority, channel, category, department, tags, customer_id, assignee_id,
                            message_count, public_message_count, last_seq, last_message_at, last_public_message_at, first_response_at,
                            queued_at, created_at, updated_at)
       select ${sqlId('tkt', 'b.g')},
              'TKT-' || to_char(b.created_at at time zone 'UTC', 'YYYYMMDD') || '-' || lpad(b.g::text, 6, '0'),
              'Benchmark ticket ' || b.g, 'A conversation generated for the benchmarks.',
              case when not b.assigned then 'OPEN' when b.g % 3 = 0 then 'WAITING_ON_CUSTOMER' else 'IN_PROGRESS' end,
              (array['LOW', 'NORMAL', 'NORMAL', 'HIGH', 'URGENT'])[1 + b.g % 5], 'WEB',
              (array['billing', 'login', 'export', 'delivery'])[1 + b.g % 4], (array['billing', 'technical', 'sales'])[1 + b.g % 3], '{}',
              ${sqlId('usr', '1 + (b.g::bigint * 7919) % $3::int')},
              case when b.assigned then ${sqlId('agt', '1 + b.g % $4::int')} end,
              $2::int, $2::int - case when b.assigned then $2::int / 10 else 0 end, $2::int,
              b.created_at + interval '1 hour', b.created_at + interval '1 hour',
              case when b.assigned then b.created_at + interval '5 minutes' end,
              case when not b.assigned then b.created_at end,
              b.created_at, b.created_at + interval '1 hour'
       from base b`,
      [options.tickets, options.messagesPerTicket, options.customers, options.agents],
    );
    await step(
      'messages',
      `insert into messages (id, ticket_id, seq, author_id, author_kind, kind, body, internal, created_at)
       select ${sqlId('msg', `(g::bigint * 1000 + s)`)}, ${sqlId('tkt', 'g')}, s,
              case when s % 2 = 1 or g % 10 = 0 then ${sqlId('usr', '1 + (g::bigint * 7919) % $3::int')} else ${sqlId('usr', '1000000000 + 1 + g % $4::int')} end,
              case when s % 2 = 1 or g % 10 = 0 then 'CUSTOMER' else 'AGENT' end,
              'TEXT', ($5::text[])[1 + (g + s) % array_length($5::text[], 1)],
              g % 10 <> 0 and s % 10 = 0,
              now() - interval '30 days' + (g::float / $1::int) * interval '30 days' + s * interval '2 minutes'
       from generate_series(1, $1::int) g cross join generate_series(1, $2::int) s`,
      [options.tickets, options.messagesPerTicket, options.customers, options.agents, PHRASES],
    );
    await step(
      'sessions',
      `insert into sessions (id, user_id, created_at, expires_at)
       select ${sqlId('ses', '1000000000 + g')}, ${sqlId('usr', '1000000000 + g')}, now(), now() + interval '7 days' from generate_series(1, $1::int) g
       union all
       select ${sqlId('ses', 'g')}, ${sqlId('usr', '1 + (g::bigint * 7919) % $3::int')}, now(), now() + interval '7 days' from generate_series(1, $2::int) g`,
      [options.agents, options.sessionTickets, options.customers],
    );
    await db.query('set session_replication_role = origin');
    const rollups = await db.query(`select 1 from pg_proc where proname = 'rebuild_ticket_stats'`);
    if (rollups.rowCount) await step('dashboard rollups', 'select rebuild_ticket_stats()');
    await step('vacuum analyze', 'vacuum analyze');
  } finally {
    await db.end();
  }
}

/** Who the benchmarks act as; every id follows from the seed's numbering. */
export interface BenchActors {
  agents: { userId: string; sessionId: string }[];
  /** Ticket n (1-based) of the fan-out set: its id and its customer's user and session. */
  fanoutTickets: { ticketId: string; customerId: string; sessionId: string }[];
  ticketIds: string[];
}

export function benchActors(options: ConversationSeed): BenchActors {
  const agents = Array.from({ length: options.agents }, (_, i) => ({ userId: benchId('usr', 1_000_000_000 + i + 1), sessionId: benchId('ses', 1_000_000_000 + i + 1) }));
  const fanoutTickets = Array.from({ length: options.sessionTickets }, (_, i) => {
    const g = i + 1;
    return { ticketId: benchId('tkt', g), customerId: benchId('usr', 1 + ((g * 7919) % options.customers)), sessionId: benchId('ses', g) };
  });
  const ticketIds = Array.from({ length: options.tickets }, (_, i) => benchId('tkt', i + 1));
  return { agents, fanoutTickets, ticketIds };
}
