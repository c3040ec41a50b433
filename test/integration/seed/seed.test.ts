import { Client } from 'pg';
import { DEFAULT_ADMIN, DEMO_PASSWORD, SeedRefused, seedDatabase, type SeedOptions } from '../../../scripts/seed/run';
import { createTestDatabase } from '../../support/database';
import { startTestServer } from '../../support/server';

const NOW = new Date('2026-03-10T12:00:00Z');

type Database = Awaited<ReturnType<typeof createTestDatabase>>;

async function query<T = Record<string, unknown>>(database: Database, sql: string): Promise<T[]> {
  const client = new Client({ connectionString: database.url });
  await client.connect();
  try {
    return (await client.query(sql)).rows as T[];
  } finally {
    await client.end();
  }
}

/** Everything that would differ if two runs did not write the same data. */
async function digest(database: Database): Promise<string> {
  const [row] = await query<{ digest: string }>(
    database,
    `select md5(
       (select string_agg(concat_ws('|', id, number, subject, status, priority, assignee_id, message_count, first_response_at, resolved_at, rating), ',' order by id) from tickets) ||
       (select string_agg(concat_ws('|', id, ticket_id, seq, author_id, body, internal, created_at), ',' order by id) from messages) ||
       (select string_agg(concat_ws('|', id, kind, actor_id, from_status, to_status, data::text, at), ',' order by id) from ticket_events) ||
       (select string_agg(concat_ws('|', ticket_id, user_id, last_read_seq), ',' order by ticket_id, user_id) from read_cursors)
     ) as digest`,
  );
  return row.digest;
}

/** Each query lists what breaks an invariant; every one must come back empty. */
const INVARIANTS: Record<string, string> = {
  'messageCount, publicMessageCount and lastSeq match the messages': `
    select t.number from tickets t left join messages m on m.ticket_id = t.id
    group by t.id
    having t.message_count <> count(m.id) or t.public_message_count <> count(m.id) filter (where not m.internal)
        or t.last_seq <> coalesce(max(m.seq), 0)`,
  'seqs run 1..n without gaps': `
    select ticket_id from messages group by ticket_id having min(seq) <> 1 or max(seq) <> count(*) or count(distinct seq) <> count(*)`,
  'lastMessageAt and lastPublicMessageAt are the newest messages': `
    select t.number from tickets t left join messages m on m.ticket_id = t.id
    group by t.id
    having t.last_message_at is distinct from max(m.created_at)
        or t.last_public_message_at is distinct from max(m.created_at) filter (where not m.internal)`,
  'firstResponseAt is the first public agent message': `
    select t.number from tickets t left join messages m on m.ticket_id = t.id and m.author_kind = 'AGENT' and not m.internal
    group by t.id having t.first_response_at is distinct from min(m.created_at)`,
  'messages are in seq order in time, after the ticket was created': `
    select m.id from messages m join tickets t on t.id = m.ticket_id
    where m.created_at < t.created_at
       or exists (select 1 from messages n where n.ticket_id = m.ticket_id and n.seq < m.seq and n.created_at > m.created_at)`,
  'numbers are TKT-YYYYMMDD-NNNNN of the UTC creation day, counting 1.. by creation time': `
    select number from (
      select number, created_at,
             'TKT-' || to_char(created_at at time zone 'UTC', 'YYYYMMDD') || '-' ||
               lpad((row_number() over (partition by (created_at at time zone 'UTC')::date order by created_at, id))::text, 5, '0') as expected
      from tickets) x
    where number <> expected`,
  "ticket_number_sequences holds each day's last number": `
    select day from ticket_number_sequences s
    full join (select to_char(created_at at time zone 'UTC', 'YYYYMMDD') as d, count(*) as n from tickets group by 1) t on t.d = s.day
    where s.last_value is distinct from t.n`,
  'resolvedAt and closedAt follow the status': `
    select number from tickets
    where (status in ('RESOLVED', 'CLOSED')) <> (resolved_at is not null)
       or (status = 'CLOSED') <> (closed_at is not null)
       or closed_at < resolved_at`,
  'ratings only on resolved or closed tickets, after the resolution': `
    select number from tickets where rating is not null and (status not in ('RESOLVED', 'CLOSED') or rated_at < resolved_at or rating not between 1 and 5)`,
  'tickets being worked have an assignee; queued ones have none and a queuedAt': `
    select number from tickets
    where (status in ('IN_PROGRESS', 'WAITING_ON_CUSTOMER') and assignee_id is null)
       or (status = 'OPEN' and (assignee_id is not null or queued_at is null))`,
  'every ticket has one CREATED event, and its last status change leads to its status': `
    select t.number from tickets t
    where (select count(*) from ticket_events e where e.ticket_id = t.id and e.kind = 'CREATED' and e.at = t.created_at) <> 1
       or coalesce((select e.to_status from ticket_events e where e.ticket_id = t.id and e.to_status is not null order by e.at desc, e.kind = 'CREATED' limit 1), 'OPEN') <> t.status`,
  'read cursors point at a message of their ticket': `
    select c.ticket_id from read_cursors c join tickets t on t.id = c.ticket_id where c.last_read_seq < 1 or c.last_read_seq > t.last_seq`,
  'nothing happens in the future': `
    select 'ticket' from tickets where updated_at > '${NOW.toISOString()}' or closed_at > '${NOW.toISOString()}' or rated_at > '${NOW.toISOString()}'
    union all select 'message' from messages where created_at > '${NOW.toISOString()}' or edited_at > '${NOW.toISOString()}'
    union all select 'event' from ticket_events where at > '${NOW.toISOString()}'
    union all select 'cursor' from read_cursors where read_at > '${NOW.toISOString()}'`,
  'staff have an agent profile, in one of the three departments': `
    select u.email from users u left join agents a on a.user_id = u.id
    where u.role in ('AGENT', 'SUPERVISOR', 'ADMIN') and (a.id is null or (u.role = 'AGENT' and a.department not in ('billing', 'technical', 'accounts')))`,
};

function seed(database: Database, options: Partial<SeedOptions> = {}) {
  return seedDatabase({ databaseUrl: database.url, tickets: 40, now: NOW, ...options });
}

describe('npm run seed', () => {
  let database: Database;
  let ormDigest: string;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database.drop());

  describe('through the ORM', () => {
    let result: Awaited<ReturnType<typeof seedDatabase>>;
    beforeAll(async () => {
      result = await seed(database, { writer: 'orm' });
      ormDigest = await digest(database);
    });

    it('writes the demo cast and the tickets asked for', async () => {
      expect(result.writer).toBe('orm');
      expect(result.counts).toMatchObject({ tickets: 40, agents: 8, customers: 40 });
      const [counts] = await query<Record<string, string>>(
        database,
        `select (select count(*) from tickets) tickets, (select count(*) from users where role = 'CUSTOMER') customers,
                (select count(*) from users where role = 'AGENT') agents, (select count(distinct department) from agents) departments,
                (select count(*) from users where role = 'ADMIN') admins, (select count(*) from users where role = 'SUPERVISOR') supervisors`,
      );
      expect(counts).toEqual({ tickets: '40', customers: '40', agents: '8', departments: '3', admins: '1', supervisors: '1' });
    });

    it.each(Object.entries(INVARIANTS))('%s', async (_name, sql) => {
      expect(await query(database, sql)).toEqual([]);
    });

    it('covers every status and priority, with conversations, internal notes, system messages and ratings', async () => {
      const statuses = await query<{ status: string }>(database, 'select distinct status from tickets order by 1');
      expect(statuses.map((r) => r.status)).toEqual(['CLOSED', 'IN_PROGRESS', 'OPEN', 'RESOLVED', 'WAITING_ON_CUSTOMER']);
      const priorities = await query<{ priority: string }>(database, 'select distinct priority from tickets order by 1');
      expect(priorities.map((r) => r.priority)).toEqual(['HIGH', 'LOW', 'NORMAL', 'URGENT']);
      const [kinds] = await query<Record<string, boolean>>(
        database,
        `select bool_or(author_kind = 'CUSTOMER') customer, bool_or(author_kind = 'AGENT' and not internal) agent,
                bool_or(internal) note, bool_or(author_kind = 'SYSTEM') system,
                (select bool_or(rating is not null) from tickets) rated,
                (select count(distinct kind) >= 4 from ticket_events) events
         from messages`,
      );
      expect(kinds).toEqual({ customer: true, agent: true, note: true, system: true, rated: true, events: true });
    });

    // Last in this block: a running server may act on the data (routing assigns queued tickets).
    it('signs in the admin and the demo accounts it prints', async () => {
      const server = await startTestServer({ databaseUrl: database.url });
      try {
        const login = (email: string, password: string) =>
          server.anonymous.request<{ login: { user: { role: string } } }, Record<string, never>>(
            `mutation { login(input: { email: "${email}", password: "${password}" }) { user { role } } }`,
          );
        expect((await login(DEFAULT_ADMIN.email, DEFAULT_ADMIN.password)).data?.login.user.role).toBe('ADMIN');
        expect((await login(result.logins.supervisor, DEMO_PASSWORD)).data?.login.user.role).toBe('SUPERVISOR');
      } finally {
        await server.stop();
      }
    });

    it('refuses to seed again over the data', async () => {
      await expect(seed(database)).rejects.toThrow(SeedRefused);
    });

  });

  describe('in bulk through pg', () => {
    beforeAll(async () => {
      await seed(database, { writer: 'sql', reset: true, chunkSize: 7 });
    });

    it('writes exactly what the ORM path writes for the same seed', async () => {
      expect(await digest(database)).toBe(ormDigest);
    });

    it.each(Object.entries(INVARIANTS))('%s', async (_name, sql) => {
      expect(await query(database, sql)).toEqual([]);
    });
  });

  it('another seed gives another demo', async () => {
    const before = await digest(database);
    await seed(database, { writer: 'sql', reset: true, seed: 7 });
    expect(await digest(database)).not.toBe(before);
  });
});
