import type { EntityMetadata, EntityName, RequiredEntityData } from '@mikro-orm/core';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { Pool } from 'pg';
import { User } from '../../src/modules/accounts/user.entity';
import { Agent } from '../../src/modules/agents/agent.entity';
import { Message } from '../../src/modules/messages/message.entity';
import { ReadCursor } from '../../src/modules/messages/read-cursor.entity';
import { TicketEvent } from '../../src/modules/tickets/ticket-event.entity';
import { Ticket, TicketNumberSequence } from '../../src/modules/tickets/ticket.entity';
import type { Row } from './world';

/** Which entity each kind of row is, in an order that satisfies the foreign keys. */
const TABLES = [
  ['users', User],
  ['agents', Agent],
  ['tickets', Ticket],
  ['messages', Message],
  ['events', TicketEvent],
  ['readCursors', ReadCursor],
  ['sequences', TicketNumberSequence],
] as const;

export type RowsByTable = Partial<Record<(typeof TABLES)[number][0], Row[]>>;

export interface SeedWriter {
  insert(rows: RowsByTable): Promise<void>;
  /** `lastAssignedAt` is known only once every ticket has been generated. */
  setLastAssigned(agents: { id: string; lastAssignedAt: Date }[]): Promise<void>;
  close(): Promise<void>;
}

/** Through the entities and the unit of work, one flush per call: the default for demo-sized runs. */
export class OrmWriter implements SeedWriter {
  constructor(private readonly orm: MikroORM) {}

  async insert(rows: RowsByTable): Promise<void> {
    const em = this.orm.em.fork() as EntityManager;
    for (const [table, entity] of TABLES) {
      for (const row of rows[table] ?? []) em.create(entity as EntityName<object>, row as RequiredEntityData<object>);
    }
    await em.flush();
  }

  async setLastAssigned(agents: { id: string; lastAssignedAt: Date }[]): Promise<void> {
    const em = this.orm.em.fork();
    for (const agent of agents) await em.nativeUpdate(Agent, { id: agent.id }, { lastAssignedAt: agent.lastAssignedAt });
  }

  async close(): Promise<void> {}
}

interface Statement {
  sql: string;
  keys: string[];
}

/** Tables written first, in order; the rest only reference these and go in parallel. */
const PARENTS = new Set(['users', 'agents', 'tickets']);

/**
 * Straight to PostgreSQL through `pg`, for large runs: one `INSERT … SELECT FROM unnest(…)` per
 * table and batch (one parameter per column, however many rows). Parents first, then messages,
 * events and cursors side by side on their own connections. Columns come from the entities'
 * metadata, so this path cannot drift from what the ORM writes.
 */
export class SqlWriter implements SeedWriter {
  private readonly statements = new Map<string, Statement>();

  private readonly pool: Pool;

  constructor(
    private readonly orm: MikroORM,
    databaseUrl: string,
  ) {
    this.pool = new Pool({
      connectionString: databaseUrl,
      max: 4,
      // Commits are not waited for (a crash mid-seed means --reset and again anyway), and GIN
      // indexes collect new entries in a larger pending list before merging them.
      options: '-c synchronous_commit=off -c gin_pending_list_limit=32MB',
    });
  }

  private statement(entity: EntityName<object>, keys: string[]): Statement {
    const meta: EntityMetadata = this.orm.getMetadata().get(entity);
    const cacheKey = `${meta.className}:${keys.join(',')}`;
    const cached = this.statements.get(cacheKey);
    if (cached) return cached;
    const columns = keys.map((key, index) => {
      const prop = meta.properties[key as keyof typeof meta.properties];
      if (!prop || prop.persist === false || prop.generated || prop.fieldNames?.length !== 1) {
        throw new Error(`seed: ${meta.className}.${key} is not a column the seed can write`);
      }
      return { column: `"${prop.fieldNames[0]}"`, value: `u.c${index}::${prop.columnTypes[0]}` };
    });
    const statement = {
      keys,
      sql:
        `insert into "${meta.tableName}" (${columns.map((c) => c.column).join(', ')}) ` +
        `select ${columns.map((c) => c.value).join(', ')} from unnest(${keys.map((_k, i) => `$${i + 1}::text[]`).join(', ')}) ` +
        `as u(${keys.map((_k, i) => `c${i}`).join(', ')})`,
    };
    this.statements.set(cacheKey, statement);
    return statement;
  }

  private async insertTable(table: (typeof TABLES)[number][0], entity: EntityName<object>, rows: Row[] | undefined): Promise<void> {
    if (!rows?.length) return;
    const { sql, keys } = this.statement(entity, Object.keys(rows[0]));
    await this.pool.query(sql, keys.map((key) => rows.map((row) => asText(row[key]))));
  }

  async insert(rows: RowsByTable): Promise<void> {
    for (const [table, entity] of TABLES) {
      if (PARENTS.has(table)) await this.insertTable(table, entity as EntityName<object>, rows[table]);
    }
    await Promise.all(
      TABLES.filter(([table]) => !PARENTS.has(table)).map(([table, entity]) => this.insertTable(table, entity as EntityName<object>, rows[table])),
    );
  }

  /** Folds the GIN pending lists into their indexes and refreshes the planner's statistics. */
  async analyze(): Promise<void> {
    const tables = TABLES.map(([, entity]) => `"${this.orm.getMetadata().get(entity as EntityName<object>).tableName}"`);
    await this.pool.query(`vacuum (analyze) ${tables.join(', ')}`);
  }

  async setLastAssigned(agents: { id: string; lastAssignedAt: Date }[]): Promise<void> {
    await this.pool.query(
      `update agents a set last_assigned_at = u.at from unnest($1::text[], $2::timestamptz[]) as u(id, at) where a.id = u.id`,
      [agents.map((a) => a.id), agents.map((a) => a.lastAssignedAt.toISOString())],
    );
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

/** Every value as PostgreSQL's text input for its column; the statement casts it back. */
function asText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return `{${value.map((item) => `"${String(item).replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`).join(',')}}`;
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}
