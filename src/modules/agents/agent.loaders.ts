import DataLoader from 'dataloader';
import { byKeys, type LoaderFactory } from '../../shared/loaders/registry';
import { Agent } from './agent.entity';

export const agentById: LoaderFactory<string, Agent | null> = (ctx) =>
  new DataLoader(async (ids) => {
    const agents = await ctx.em.find(Agent, { id: { $in: [...ids] } });
    return byKeys(ids, agents, (agent) => agent.id, (agent) => agent, null);
  });

export const agentByUserId: LoaderFactory<string, Agent | null> = (ctx) =>
  new DataLoader(async (userIds) => {
    const agents = await ctx.em.find(Agent, { user: { $in: [...userIds] } });
    return byKeys(userIds, agents, (agent) => agent.user.id, (agent) => agent, null);
  });
