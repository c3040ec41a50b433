import DataLoader from 'dataloader';
import { byKeys, type LoaderFactory } from '../../shared/loaders/registry';
import { findReadOnly } from '../../shared/read-only-entities';
import { ACTIVE_STATUSES } from '../tickets/ticket.enums';
import { Agent } from './agent.entity';

/** Agents by id and by user, one query per batch; read-only values (see read-only-entities). */
export const agentById: LoaderFactory<string, Agent | null> = (ctx) =>
  new DataLoader(async (ids) => {
    const agents = await findReadOnly(ctx.em, Agent, 'id', ids);
    return byKeys(ids, agents, (agent) => agent.id, (agent) => agent, null);
  });

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
