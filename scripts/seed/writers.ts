import type { EntityMetadata, EntityName, RequiredEntityData } from '@mikro-orm/core';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { Client } from 'pg';
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

/**
 * Straight to PostgreSQL through `pg`, for large runs: one `INSERT … SELECT FROM unnest(…)` per
 * table and batch (one parameter per column, however many rows), in one transaction per batch.
 * Columns come from the entities' metadata, so this path cannot drift from what the ORM writes.
 */
export class SqlWriter implements SeedWriter {
  private readonly statements = new Map<string, Statement>();

  constructor(
    private readonly orm: MikroORM,
    private readonly client: Client,
  ) {}

  /** Commits are not waited for: a crash mid-seed means `--reset` and again anyway. */
  async open(): Promise<void> {
    await this.client.query('set synchronous_commit = off');
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

  async insert(rows: RowsByTable): Promise<void> {
    await this.client.query('begin');
    try {
      for (const [table, entity] of TABLES) {
        const list = rows[table];
        if (!list?.length) continue;
        const { sql, keys } = this.statement(entity as EntityName<object>, Object.keys(list[0]));
        await this.client.query(sql, keys.map((key) => list.map((row) => asText(row[key]))));
      }
      await this.client.query('commit');
    } catch (error) {
      await this.client.query('rollback');
      throw error;
    }
  }

  async setLastAssigned(agents: { id: string; lastAssignedAt: Date }[]): Promise<void> {
    await this.client.query(
      `update agents a set last_assigned_at = u.at from unnest($1::text[], $2::timestamptz[]) as u(id, at) where a.id = u.id`,
      [agents.map((a) => a.id), agents.map((a) => a.lastAssignedAt.toISOString())],
    );
  }

  async close(): Promise<void> {
    await this.client.end();
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
