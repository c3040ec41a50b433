import { Field, ObjectType } from 'type-graphql';
import { ConnectionType } from '../../shared/pagination/connection';
import { Agent } from './agent.entity';

@ObjectType()
export class AgentPayload {
  @Field(() => Agent)
  agent!: Agent;
}

@ObjectType()
export class AgentConnection extends ConnectionType('Agent', Agent) {}
