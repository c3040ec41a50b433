import { ArrayType, Entity, Enum, Index, OneToOne, PrimaryKey, Property, type Opt, type Ref } from '@mikro-orm/core';
import { Field, ID, ObjectType } from 'type-graphql';
import { newId } from '../../shared/ids';
import { Node } from '../../shared/node';
import { User } from '../accounts/user.entity';
import { AgentStatus } from './agent-status';

/** The staff profile of a user: where they work, what they know, how much they can take. */
@Entity({ tableName: 'agents' })
@ObjectType({ implements: Node })
export class Agent {
  @PrimaryKey({ type: 'text' })
  @Field(() => ID)
  id: string & Opt = newId('Agent');

  @OneToOne(() => User, { owner: true, ref: true, unique: 'agents_user_unique', deleteRule: 'cascade' })
  user!: Ref<User>;

  @Property({ type: 'text', nullable: true })
  @Index()
  @Field(() => String, { nullable: true })
  department?: string | null;

  /** Exposed by AgentFieldsResolver: staff only. */
  @Property({ type: ArrayType, default: '{}' })
  skills: string[] & Opt = [];

  @Property({ type: ArrayType, default: '{}' })
  @Field(() => [String])
  languages: string[] & Opt = [];

  @Enum({ items: () => AgentStatus, default: AgentStatus.OFFLINE })
  @Index()
  @Field(() => AgentStatus)
  status: AgentStatus & Opt = AgentStatus.OFFLINE;

  /** True when the system (not the agent) set the status, e.g. presence timed out. */
  @Property({ type: 'boolean', default: false })
  statusSetBySystem: boolean & Opt = false;

  /** Exposed by AgentFieldsResolver: staff only. */
  @Property({ type: 'integer', default: 5 })
  maxConcurrentTickets: number & Opt = 5;

  /** Mirrors the user's `active`; kept here so routing filters on one table. */
  @Property({ type: 'boolean', default: true })
  @Field(() => Boolean)
  active: boolean & Opt = true;

  /** When a socket of theirs opened or closed, they set a status, or (while connected) a heartbeat recorded them; exposed by AgentFieldsResolver. */
  @Property({ type: 'datetime', nullable: true })
  lastSeenAt?: Date | null;

  @Property({ type: 'datetime', nullable: true })
  lastAssignedAt?: Date | null;

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  createdAt: Date & Opt = new Date();

  @Property({ type: 'datetime', defaultRaw: 'now()', onUpdate: () => new Date() })
  updatedAt: Date & Opt = new Date();
}
