import { Entity, Enum, Index, ManyToOne, PrimaryKey, Property, type Opt, type Ref } from '@mikro-orm/core';
import { newId } from '../../shared/ids';
import { User } from '../accounts/user.entity';
import { Ticket } from '../tickets/ticket.entity';
import { NotificationKind } from './notification.enums';

/** A stored inbox entry for one recipient. Exposed on the API by the notifications issue. */
@Entity({ tableName: 'notifications' })
@Index({ name: 'notifications_recipient_created_idx', properties: ['recipient', 'createdAt', 'id'] })
@Index({
  name: 'notifications_recipient_unread_idx',
  expression: 'create index "notifications_recipient_unread_idx" on "notifications" ("recipient_id") where "read_at" is null',
})
export class Notification {
  @PrimaryKey({ type: 'text' })
  id: string & Opt = newId('Notification');

  @ManyToOne(() => User, { ref: true, deleteRule: 'cascade' })
  recipient!: Ref<User>;

  @Enum({ items: () => NotificationKind })
  kind!: NotificationKind;

  @Property({ type: 'text' })
  title!: string;

  @Property({ type: 'text', nullable: true })
  body?: string | null;

  @ManyToOne(() => Ticket, { ref: true, nullable: true, deleteRule: 'cascade' })
  ticket?: Ref<Ticket> | null;

  @Property({ type: 'datetime', nullable: true })
  readAt?: Date | null;

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  createdAt: Date & Opt = new Date();
}
