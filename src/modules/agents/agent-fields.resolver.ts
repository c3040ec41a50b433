import { Ctx, FieldResolver, Int, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '../../server/context';
import { notFound } from '../../shared/errors';
import { User } from '../accounts/user.entity';
import { userById } from '../accounts/user.loaders';
import { Agent } from './agent.entity';
import { activeTicketCountByAgentId } from './agent.loaders';

@Resolver(() => Agent)
export class AgentFieldsResolver {
  @FieldResolver(() => User)
  async user(@Root() agent: Agent, @Ctx() ctx: RequestContext): Promise<User> {
    const user = await ctx.loaders.get(userById).load(agent.user.id);
    if (!user) throw notFound('User');
    return user;
  }

  @FieldResolver(() => Int, { description: 'Tickets assigned to this agent that are neither RESOLVED nor CLOSED.' })
  activeTicketCount(@Root() agent: Agent, @Ctx() ctx: RequestContext): Promise<number> {
    return ctx.loaders.get(activeTicketCountByAgentId).load(agent.id);
  }
}
