import { Arg, Args, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import type { RequestContext } from '../../server/context';
import type { ConnectionShape } from '../../shared/pagination/connection';
import { setAgentStatus } from './agent-availability.service';
import { AgentStatus } from './agent-status';
import { Agent } from './agent.entity';
import { AgentsArgs, CreateAgentInput, UpdateAgentInput } from './agent.inputs';
import { AgentConnection, AgentPayload } from './agent.payloads';
import * as agents from './agent.service';

@Resolver()
export class AgentResolver {
  @Query(() => AgentConnection, { description: 'Staff only: the team, oldest profile first.' })
  agents(@Args(() => AgentsArgs) args: AgentsArgs, @Ctx() ctx: RequestContext): Promise<ConnectionShape<Agent>> {
    return agents.listAgents(ctx, args);
  }

  @Query(() => Agent, { nullable: true, description: 'Staff only; NOT_FOUND when no agent has this id.' })
  agent(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext): Promise<Agent> {
    return agents.getAgent(ctx, id);
  }

  @Mutation(() => AgentPayload, { description: 'Admins only: a staff account with its agent profile.' })
  async createAgent(@Arg('input') input: CreateAgentInput, @Ctx() ctx: RequestContext): Promise<AgentPayload> {
    return { agent: await agents.createAgent(ctx, input) };
  }

  @Mutation(() => AgentPayload, { description: 'Admins only: edit, change role, deactivate or reactivate.' })
  async updateAgent(@Arg('input') input: UpdateAgentInput, @Ctx() ctx: RequestContext): Promise<AgentPayload> {
    return { agent: await agents.updateAgent(ctx, input) };
  }

  @Mutation(() => Agent, {
    description:
      'Staff: sets your own availability. AVAILABLE offers you waiting tickets; OFFLINE hands your open tickets back to routing.',
  })
  setAgentStatus(@Arg('status', () => AgentStatus) status: AgentStatus, @Ctx() ctx: RequestContext): Promise<Agent> {
    return setAgentStatus(ctx, status);
  }
}
