import { Entity, ManyToOne, PrimaryKeyProp, Property, type Opt, type Ref } from '@mikro-orm/core';
import { User } from '../accounts/user.entity';
import { Ticket } from '../tickets/ticket.entity';

/**
 * How far one participant has read in one ticket. Unread counts and read receipts are derived from
 * these cursors rather than stored per message, so marking read is one upsert.
 */
@Entity({ tableName: 'read_cursors' })
export class ReadCursor {
  [PrimaryKeyProp]?: ['ticket', 'user'];

  @ManyToOne(() => Ticket, { primary: true, ref: true, deleteRule: 'cascade' })
  ticket!: Ref<Ticket>;

  @ManyToOne(() => User, { primary: true, ref: true, deleteRule: 'cascade' })
  user!: Ref<User>;

  @Property({ type: 'integer' })
  lastReadSeq!: number;

  @Property({ type: 'datetime' })
  readAt: Date & Opt = new Date();
}
