import type { Pool, PoolClient } from 'pg';
import type { CapturedStatement } from './processes';

/** Statements that ran on one connection as one piece: a transaction, or a statement alone. */
interface Unit {
  statements: CapturedStatement[];
  startedAt: number;
  endedAt: number;
}

/** Units that ran at the same time; phases ran one after the other. */
export type ReplayPlan = Unit[][];

const isBegin = (text: string) => /^\s*(begin|start transaction)\b/i.test(text);
const isEnd = (text: string) => /^\s*(commit|rollback|end)\b/i.test(text);

/**
 * Turns the statements a server ran for one request into a plan that runs them again as it did:
 * each transaction on one connection, transactions that overlapped in time concurrently, the
 * others in order. What is left between the server's statements is everything but the SQL.
 */
export function replayPlan(statements: CapturedStatement[]): ReplayPlan {
  const open = new Map<number, Unit>();
  const units: Unit[] = [];
  for (const statement of [...statements].sort((a, b) => a.startedAt - b.startedAt)) {
    let unit = open.get(statement.connection);
    if (!unit) {
      unit = { statements: [], startedAt: statement.startedAt, endedAt: statement.endedAt };
      units.push(unit);
      if (isBegin(statement.text)) open.set(statement.connection, unit);
    }
    unit.statements.push(statement);
    unit.endedAt = Math.max(unit.endedAt, statement.endedAt);
    if (isEnd(statement.text)) open.delete(statement.connection);
  }
  const phases: ReplayPlan = [];
  let phaseEnd = -Infinity;
  for (const unit of units.sort((a, b) => a.startedAt - b.startedAt)) {
    if (phases.length && unit.startedAt < phaseEnd) {
      phases[phases.length - 1].push(unit);
      phaseEnd = Math.max(phaseEnd, unit.endedAt);
    } else {
      phases.push([unit]);
      phaseEnd = unit.endedAt;
    }
  }
  return phases;
}

async function runUnit(pool: Pool, unit: Unit): Promise<void> {
  const client: PoolClient = await pool.connect();
  try {
    for (const statement of unit.statements) await client.query(statement.text, statement.values as unknown[] | undefined);
  } finally {
    client.release();
  }
}

/** Runs the plan once; resolves with its duration in ms. */
export async function replay(pool: Pool, plan: ReplayPlan): Promise<number> {
  const started = performance.now();
  for (const phase of plan) await Promise.all(phase.map((unit) => runUnit(pool, unit)));
  return performance.now() - started;
}

export function describePlan(plan: ReplayPlan): string {
  return plan.map((phase) => phase.map((unit) => unit.statements.length).join('+')).join(' → ');
}
