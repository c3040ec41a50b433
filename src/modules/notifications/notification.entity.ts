import { Entity, Enum, Index, ManyToOne, PrimaryKey, Property, type Opt, type Ref } from '@mikro-orm/core';
import { Field, ID, ObjectType } from 'type-graphql';
import { newId } from '../../shared/ids';
import { Node } from '../../shared/node';
import { User } from '../accounts/user.entity';
import { Ticket } from '../tickets/ticket.entity';
import { NotificationKind } from './notification.enums';

/** A stored inbox entry for one recipient; `ticket` is resolved (and re-authorized) by its field resolver. */
@Entity({ tableName: 'notifications' })
@ObjectType({ implements: Node })
@Index({ name: 'notifications_recipient_created_idx', properties: ['recipient', 'createdAt', 'id'] })
@Index({
  name: 'notifications_recipient_unread_idx',
  expression: 'create index "notifications_recipient_unread_idx" on "notifications" ("recipient_id") where "read_at" is null',
})
export class Notification {
  @PrimaryKey({ type: 'text' })
  @Field(() => ID)
  id: string & Opt = newId('Notification');

  @ManyToOne(() => User, { ref: true, deleteRule: 'cascade' })
  recipient!: Ref<User>;

  @Enum({ items: () => NotificationKind })
  @Field(() => NotificationKind)
  kind!: NotificationKind;

  @Property({ type: 'text' })
  @Field()
  title!: string;

  @Property({ type: 'text', nullable: true })
  @Field(() => String, { nullable: true })
  body?: string | null;

  @ManyToOne(() => Ticket, { ref: true, nullable: true, deleteRule: 'cascade' })
  ticket?: Ref<Ticket> | null;

  @Property({ type: 'datetime', nullable: true })
  @Field(() => Date, { nullable: true })
  readAt?: Date | null;

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  @Field(() => Date)
  createdAt: Date & Opt = new Date();
}
