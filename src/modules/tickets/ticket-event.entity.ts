import { Entity, Enum, Index, ManyToOne, PrimaryKey, Property, type Opt, type Ref } from '@mikro-orm/core';
import { Field, ObjectType } from 'type-graphql';
import { newId } from '../../shared/ids';
import { User } from '../accounts/user.entity';
import { Ticket } from './ticket.entity';
import { TicketEventKind, TicketStatus } from './ticket.enums';

/** One line of a ticket's history: what changed, who changed it (null for the system), and when. */
@Entity({ tableName: 'ticket_events' })
@ObjectType()
@Index({ name: 'ticket_events_ticket_at_idx', properties: ['ticket', 'at', 'id'] })
@Index({ name: 'ticket_events_at_idx', properties: ['at'] })
export class TicketEvent {
  @PrimaryKey({ type: 'text' })
  id: string & Opt = newId('TicketEvent');

  @ManyToOne(() => Ticket, { ref: true, deleteRule: 'cascade' })
  ticket!: Ref<Ticket>;

  @Enum({ items: () => TicketEventKind })
  @Field(() => TicketEventKind)
  kind!: TicketEventKind;

  @ManyToOne(() => User, { ref: true, nullable: true })
  actor?: Ref<User> | null;

  @Enum({ items: () => TicketStatus, nullable: true })
  @Field(() => TicketStatus, { nullable: true })
  fromStatus?: TicketStatus | null;

  @Enum({ items: () => TicketStatus, nullable: true })
  @Field(() => TicketStatus, { nullable: true })
  toStatus?: TicketStatus | null;

  /** Details for other kinds, e.g. `{ from: 'LOW', to: 'HIGH' }` or `{ assigneeId }`. */
  @Property({ type: 'json', nullable: true })
  data?: Record<string, unknown> | null;

  @Property({ type: 'text', nullable: true })
  @Field(() => String, { nullable: true, description: 'Why, in words, where the system decided (e.g. which routing rule picked the agent).' })
  note?: string | null;

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  @Field(() => Date)
  at: Date & Opt = new Date();
}
