import { ArrayMaxSize, IsEmail, IsIn, IsInt, IsOptional, Length, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { ArgsType, Field, ID, InputType, Int } from 'type-graphql';
import { ForwardConnectionArgs } from '../../shared/pagination/connection';
import { Role } from '../../shared/roles';
import { PASSWORD_MAX, PASSWORD_MIN } from '../accounts/account.inputs';
import { AgentStatus } from './agent-status';

const STAFF_ROLES = [Role.AGENT, Role.SUPERVISOR, Role.ADMIN];

@InputType()
export class CreateAgentInput {
  @Field()
  @Length(1, 100)
  name!: string;

  @Field()
  @IsEmail()
  @MaxLength(254)
  email!: string;

  @Field()
  @Length(PASSWORD_MIN, PASSWORD_MAX)
  password!: string;

  @Field(() => Role)
  @IsIn(STAFF_ROLES, { message: 'role must be AGENT, SUPERVISOR or ADMIN' })
  role!: Role;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @Length(1, 100)
  department?: string | null;

  @Field(() => [String], { nullable: true })
  @IsOptional()
  @ArrayMaxSize(50)
  @Length(1, 50, { each: true })
  skills?: string[] | null;

  @Field(() => [String], { nullable: true })
  @IsOptional()
  @ArrayMaxSize(20)
  @Length(2, 35, { each: true })
  languages?: string[] | null;

  @Field(() => Int, { nullable: true })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100)
  maxConcurrentTickets?: number | null;
}

@InputType()
export class UpdateAgentInput {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @Length(1, 100)
  name?: string | null;

  @Field(() => Role, { nullable: true })
  @IsOptional()
  @IsIn(STAFF_ROLES, { message: 'role must be AGENT, SUPERVISOR or ADMIN' })
  role?: Role | null;

  @Field(() => String, { nullable: true, description: 'An empty string clears the department.' })
  @IsOptional()
  @MaxLength(100)
  department?: string | null;

  @Field(() => [String], { nullable: true })
  @IsOptional()
  @ArrayMaxSize(50)
  @Length(1, 50, { each: true })
  skills?: string[] | null;

  @Field(() => [String], { nullable: true })
  @IsOptional()
  @ArrayMaxSize(20)
  @Length(2, 35, { each: true })
  languages?: string[] | null;

  @Field(() => Int, { nullable: true })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100)
  maxConcurrentTickets?: number | null;

  @Field(() => Boolean, { nullable: true, description: 'False deactivates: the agent can no longer sign in and gets no tickets.' })
  @IsOptional()
  active?: boolean | null;
}

@InputType()
export class AgentFilter {
  @Field(() => String, { nullable: true, description: 'Exactly as stored (departments are free text, trimmed).' })
  @IsOptional()
  @MaxLength(100)
  department?: string | null;

  @Field(() => [AgentStatus], { nullable: true })
  @IsOptional()
  @ArrayMaxSize(4)
  status?: AgentStatus[] | null;

  @Field(() => String, { nullable: true, description: 'Agents having this skill (case-insensitive).' })
  @IsOptional()
  @Length(1, 50)
  skill?: string | null;
}

@ArgsType()
export class AgentsArgs extends ForwardConnectionArgs {
  @Field(() => AgentFilter, { nullable: true })
  @IsOptional()
  @ValidateNested()
  filter?: AgentFilter | null;
}
