import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import type { RequestContext } from '../../server/context';
import { CreateAgentInput, UpdateAgentInput } from './agent.inputs';
import { AgentPayload } from './agent.payloads';
import * as agents from './agent.service';

@Resolver()
export class AgentResolver {
  @Mutation(() => AgentPayload, { description: 'Admins only: a staff account with its agent profile.' })
  async createAgent(@Arg('input') input: CreateAgentInput, @Ctx() ctx: RequestContext): Promise<AgentPayload> {
    return { agent: await agents.createAgent(ctx, input) };
  }

  @Mutation(() => AgentPayload, { description: 'Admins only: edit, change role, deactivate or reactivate.' })
  async updateAgent(@Arg('input') input: UpdateAgentInput, @Ctx() ctx: RequestContext): Promise<AgentPayload> {
    return { agent: await agents.updateAgent(ctx, input) };
  }
}
