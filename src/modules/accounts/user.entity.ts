import { Entity, Enum, Index, OneToOne, PrimaryKey, Property, type Opt, type Ref } from '@mikro-orm/core';
import { Field, ID, ObjectType } from 'type-graphql';
import { newId } from '../../shared/ids';
import { Node } from '../../shared/node';
import { Role } from '../../shared/roles';
import type { Agent } from '../agents/agent.entity';

/** A person: a customer (possibly a guest from the web widget) or a member of staff. */
@Entity({ tableName: 'users' })
@ObjectType({ implements: Node })
@Index({
  name: 'users_email_unique',
  expression: 'create unique index "users_email_unique" on "users" ("email") where "email" is not null and not "is_guest"',
})
export class User {
  @PrimaryKey({ type: 'text' })
  @Field(() => ID)
  id: string & Opt = newId('User');

  @Property({ type: 'text' })
  @Field()
  name!: string;

  /**
   * Stored lower-cased. Unique among accounts; a guest's e-mail is contact data only (a guest
   * cannot claim someone's address). `email` on the API is guarded by `canSeeEmail`.
   */
  @Property({ type: 'text', nullable: true })
  email?: string | null;

  @Property({ type: 'text', nullable: true, hidden: true, lazy: true })
  passwordHash?: string | null;

  @Enum({ items: () => Role, default: Role.CUSTOMER })
  @Index()
  @Field(() => Role)
  role: Role & Opt = Role.CUSTOMER;

  @Property({ type: 'boolean', default: false })
  isGuest: boolean & Opt = false;

  /** False: deactivated — cannot sign in, receives nothing. */
  @Property({ type: 'boolean', default: true })
  active: boolean & Opt = true;

  /** Messenger's page-scoped id, for customers who write through Facebook. */
  @Property({ type: 'text', nullable: true, unique: 'users_messenger_psid_unique' })
  messengerPsid?: string | null;

  @OneToOne({ entity: 'Agent', mappedBy: 'user', nullable: true, ref: true })
  agent?: Ref<Agent> | null;

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  @Field(() => Date)
  createdAt: Date & Opt = new Date();

  @Property({ type: 'datetime', defaultRaw: 'now()', onUpdate: () => new Date() })
  updatedAt: Date & Opt = new Date();
}
