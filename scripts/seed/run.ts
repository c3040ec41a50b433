import 'reflect-metadata';
import { MikroORM } from '@mikro-orm/postgresql';
import { ormOptions } from '../../src/infra/orm-options';
import { hashPassword } from '../../src/shared/auth/passwords';
import { Random } from './random';
import { generatePeople, generateTickets, type StaffMember } from './world';
import { OrmWriter, SqlWriter, type SeedWriter } from './writers';

export const DEFAULT_ADMIN = { email: 'admin@parley.local', password: 'parley-admin' };
/** Every seeded account but the admin signs in with this. */
export const DEMO_PASSWORD = 'parley-demo';
/** Above this many tickets the seed writes through `pg` rather than the unit of work. */
export const ORM_WRITER_LIMIT = 2000;

export interface SeedOptions {
  databaseUrl: string;
  tickets: number;
  /** PRNG seed: the same seed gives the same demo. */
  seed?: number;
  /** Wipe every table first; without it a database that has data is refused. */
  reset?: boolean;
  /** `auto`: the ORM up to ORM_WRITER_LIMIT tickets, `pg` beyond. */
  writer?: 'auto' | 'orm' | 'sql';
  admin?: { email: string; password: string };
  now?: Date;
  chunkSize?: number;
  /** Progress lines. */
  log?: (line: string) => void;
}

export interface SeedResult {
  writer: 'orm' | 'sql';
  counts: { users: number; agents: number; customers: number; tickets: number; messages: number; events: number; readCursors: number };
  logins: { admin: { email: string; password: string; created: boolean }; supervisor: string; agents: string[]; customers: string[]; password: string };
  durationMs: number;
}

/** scrypt is slow on purpose; a process that seeds twice (the tests) hashes each password once. */
const hashes = new Map<string, Promise<string>>();
function hashOnce(password: string): Promise<string> {
  if (!hashes.has(password)) hashes.set(password, hashPassword(password));
  return hashes.get(password)!;
}

/** The database has data and `reset` was not asked for. */
export class SeedRefused extends Error {}

/**
 * Fills the database at `databaseUrl` (migrated first) with a deterministic demo: staff in three
 * departments, customers, and `tickets` tickets over the last 30 days with their conversations,
 * events, read cursors and ratings. See scripts/seed/world.ts for what the data looks like.
 */
export async function seedDatabase(options: SeedOptions): Promise<SeedResult> {
  const started = Date.now();
  const log = options.log ?? (() => undefined);
  const admin = options.admin ?? DEFAULT_ADMIN;
  const now = options.now ?? new Date();
  const writerKind = options.writer === 'orm' || options.writer === 'sql' ? options.writer : options.tickets > ORM_WRITER_LIMIT ? 'sql' : 'orm';

  const orm = await MikroORM.init({ ...ormOptions(options.databaseUrl, { poolMax: 2 }), logger: () => undefined });
  let writer: SeedWriter | undefined;
  try {
    const applied = await orm.getMigrator().up();
    if (applied.length) log(`applied ${applied.length} migration(s)`);
    const connection = orm.em.getConnection();

    const [{ tickets, users }] = await connection.execute<{ tickets: string; users: string }[]>(
      `select (select count(*) from tickets) as tickets, (select count(*) from users where role <> 'ADMIN') as users`,
    );
    if ((Number(tickets) > 0 || Number(users) > 0) && !options.reset) {
      throw new SeedRefused(`The database already has data (${tickets} tickets, ${users} users besides admins). Run again with --reset to wipe it first.`);
    }
    if (options.reset) {
      const tables = await connection.execute<{ tablename: string }[]>(
        `select tablename from pg_tables where schemaname = current_schema() and tablename <> 'mikro_orm_migrations'`,
      );
      if (tables.length) await connection.execute(`truncate table ${tables.map((t) => `"${t.tablename}"`).join(', ')} cascade`);
      log(`wiped ${tables.length} tables`);
    }
    const [existingAdmin] = await connection.execute<{ id: string }[]>(`select id from users where email = ? and not is_guest`, [admin.email.toLowerCase()]);

    const random = new Random(options.seed ?? 42);
    const [adminHash, demoHash] = await Promise.all([hashOnce(admin.password), hashOnce(DEMO_PASSWORD)]);
    const people = generatePeople(random, {
      tickets: options.tickets,
      now,
      admin: { email: admin.email.toLowerCase(), password: admin.password, passwordHash: adminHash, existingUserId: existingAdmin?.id ?? null },
      demoPasswordHash: demoHash,
    });

    writer = writerKind === 'sql' ? new SqlWriter(orm, options.databaseUrl) : new OrmWriter(orm);
    await writer.insert(people.batch);

    const counts = {
      users: people.batch.users.length,
      agents: people.agents.length,
      customers: people.customers.length,
      tickets: 0,
      messages: 0,
      events: 0,
      readCursors: 0,
    };
    const stream = generateTickets(random, people, {
      count: options.tickets,
      now,
      chunkSize: options.chunkSize ?? (writerKind === 'sql' ? 2000 : 200),
    });
    let reported = 0;
    // Each batch is written while the next one is generated.
    let writing: Promise<void> = Promise.resolve();
    for (const batch of stream.batches) {
      await writing;
      writing = writer.insert(batch);
      counts.tickets += batch.tickets.length;
      counts.messages += batch.messages.length;
      counts.events += batch.events.length;
      counts.readCursors += batch.readCursors.length;
      if (counts.tickets - reported >= Math.max(options.tickets / 10, 1000) && counts.tickets < options.tickets) {
        reported = counts.tickets;
        log(`${counts.tickets} / ${options.tickets} tickets (${Math.round((Date.now() - started) / 1000)} s)`);
      }
    }
    await writing;
    await writer.insert({ sequences: stream.sequences() });
    const staff: StaffMember[] = [people.supervisor, ...people.agents];
    await writer.setLastAssigned(staff.flatMap((s) => (s.lastAssignedAt ? [{ id: s.agentId, lastAssignedAt: s.lastAssignedAt }] : [])));
    if (writer instanceof SqlWriter) {
      log('vacuum analyze');
      await writer.analyze();
    }

    return {
      writer: writerKind,
      counts,
      logins: {
        admin: people.admin,
        supervisor: people.supervisor.email,
        agents: people.agents.map((a) => a.email),
        customers: people.customers.flatMap((c) => (c.email && !c.isGuest ? [c.email] : [])),
        password: DEMO_PASSWORD,
      },
      durationMs: Date.now() - started,
    };
  } finally {
    await writer?.close();
    await orm.close(true);
  }
}
