import { Field, ObjectType } from 'type-graphql';
import { Agent } from './agent.entity';

@ObjectType()
export class AgentPayload {
  @Field(() => Agent)
  agent!: Agent;
}
