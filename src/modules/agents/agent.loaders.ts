import DataLoader from 'dataloader';
import { byKeys, type LoaderFactory } from '../../shared/loaders/registry';
import { findReadOnly, readOnlyColumns, readOnlyFromRow } from '../../shared/read-only-entities';
import { User } from '../accounts/user.entity';
import { userById } from '../accounts/user.loaders';
import { ACTIVE_STATUSES } from '../tickets/ticket.enums';
import { Agent } from './agent.entity';

/**
 * Agents by id, one query per batch; read-only values (see read-only-entities). Each comes with its
 * user, handed to userById: an agent is almost always shown by name (`assignee { user { name } }`),
 * and reading the user after the agent was a second round trip in turn.
 */
export const agentById: LoaderFactory<string, Agent | null> = (ctx) =>
  new DataLoader(async (ids) => {
    const rows = await ctx.em.getConnection().execute<Record<string, unknown>[]>(
      `select ${readOnlyColumns(ctx.em, Agent, 'a', 'a_')}, ${readOnlyColumns(ctx.em, User, 'u', 'u_')}
         from agents a join users u on u.id = a.user_id
        where a.id in (${ids.map(() => '?').join(', ')})`,
      [...ids],
    );
    const users = ctx.loaders.get(userById);
    const agents = rows.map((row) => {
      const user = readOnlyFromRow(ctx.em, User, row, 'u_')!;
      users.prime(user.id, user);
      return readOnlyFromRow(ctx.em, Agent, row, 'a_')!;
    });
    return byKeys(ids, agents, (agent) => agent.id, (agent) => agent, null);
  });

/** Agents by user, one query per batch; read-only values. */
export const agentByUserId: LoaderFactory<string, Agent | null> = (ctx) =>
  new DataLoader(async (userIds) => {
    const agents = await findReadOnly(ctx.em, Agent, 'user_id', userIds);
    return byKeys(userIds, agents, (agent) => agent.user.id, (agent) => agent, null);
  });

/** `Agent.activeTicketCount`: tickets assigned and neither RESOLVED nor CLOSED, one grouped query per batch. */
export const activeTicketCountByAgentId: LoaderFactory<string, number> = (ctx) =>
  new DataLoader(async (agentIds) => {
    const rows = await ctx.em.getConnection().execute<{ assignee_id: string; count: number }[]>(
      `select assignee_id, count(*)::int as count from tickets where assignee_id in (?) and status in (?) group by assignee_id`,
      [[...agentIds], [...ACTIVE_STATUSES]],
    );
    return byKeys(agentIds, rows, (row) => row.assignee_id, (row) => row.count, 0);
  });
