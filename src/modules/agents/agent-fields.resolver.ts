import { Ctx, FieldResolver, Int, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '../../server/context';
import { canSeeAgents } from '../../shared/auth/policies';
import { forbidden, notFound } from '../../shared/errors';
import { User } from '../accounts/user.entity';
import { userById } from '../accounts/user.loaders';
import { Agent } from './agent.entity';
import { activeTicketCountByAgentId } from './agent.loaders';

/** How routing sees an agent (skills, capacity, load) is for staff: FORBIDDEN to anyone else. */
function assertMaySeeRouting(ctx: RequestContext, what: string): void {
  if (!canSeeAgents(ctx.viewer)) throw forbidden(`Only support staff may see an agent’s ${what}.`);
}

@Resolver(() => Agent)
export class AgentFieldsResolver {
  @FieldResolver(() => User)
  async user(@Root() agent: Agent, @Ctx() ctx: RequestContext): Promise<User> {
    const user = await ctx.loaders.get(userById).load(agent.user.id);
    if (!user) throw notFound('User');
    return user;
  }

  // A customer reaches their assignee's profile through Ticket.assignee (name, department, languages,
  // status); how routing sees the agent (skills, capacity, load, presence) stays with staff.
  @FieldResolver(() => [String], { description: 'What routing matches this agent on. Staff only.' })
  skills(@Root() agent: Agent, @Ctx() ctx: RequestContext): string[] {
    assertMaySeeRouting(ctx, 'skills');
    return agent.skills;
  }

  @FieldResolver(() => Int, { description: 'How many open tickets routing gives this agent at most. Staff only.' })
  maxConcurrentTickets(@Root() agent: Agent, @Ctx() ctx: RequestContext): number {
    assertMaySeeRouting(ctx, 'capacity');
    return agent.maxConcurrentTickets;
  }

  @FieldResolver(() => Int, { description: 'Tickets assigned to this agent that are neither RESOLVED nor CLOSED. Staff only.' })
  activeTicketCount(@Root() agent: Agent, @Ctx() ctx: RequestContext): Promise<number> {
    assertMaySeeRouting(ctx, 'load');
    return ctx.loaders.get(activeTicketCountByAgentId).load(agent.id);
  }

  @FieldResolver(() => Date, { nullable: true, description: 'The last moment this agent was seen connected or active. Null for customers.' })
  lastSeenAt(@Root() agent: Agent, @Ctx() ctx: RequestContext): Date | null {
    return canSeeAgents(ctx.viewer) ? (agent.lastSeenAt ?? null) : null;
  }
}
