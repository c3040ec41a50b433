import { Entity, Enum, Index, ManyToOne, PrimaryKey, Property, Unique, type Opt, type Ref } from '@mikro-orm/core';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { newId } from '../../shared/ids';
import { Node } from '../../shared/node';
import { User } from '../accounts/user.entity';
import { Ticket } from '../tickets/ticket.entity';
import { MessageAuthorKind, MessageKind } from './message.enums';

/** One message in a ticket's conversation; `seq` orders it within the ticket without gaps. */
@Entity({ tableName: 'messages' })
@ObjectType({ implements: Node })
@Unique({ name: 'messages_ticket_seq_unique', properties: ['ticket', 'seq'] })
@Index({ name: 'messages_created_at_idx', properties: ['createdAt'] })
@Index({ name: 'messages_author_created_idx', properties: ['author', 'createdAt'] })
@Index({
  name: 'messages_client_message_id_unique',
  expression:
    'create unique index "messages_client_message_id_unique" on "messages" ("ticket_id", "author_id", "client_message_id") where "client_message_id" is not null',
})
@Index({ name: 'messages_search_idx', expression: 'create index "messages_search_idx" on "messages" using gin ("search_vector")' })
export class Message {
  @PrimaryKey({ type: 'text' })
  @Field(() => ID)
  id: string & Opt = newId('Message');

  @ManyToOne(() => Ticket, { ref: true, deleteRule: 'cascade' })
  ticket!: Ref<Ticket>;

  @Property({ type: 'integer' })
  @Field(() => Int, {
    description: 'Position in its ticket: 1, 2, 3, ... without gaps, in commit order. Clients resume from the last seq they saw.',
  })
  seq!: number;

  @ManyToOne(() => User, { ref: true, nullable: true })
  author?: Ref<User> | null;

  @Enum({ items: () => MessageAuthorKind })
  @Field(() => MessageAuthorKind)
  authorKind!: MessageAuthorKind;

  @Enum({ items: () => MessageKind, default: MessageKind.TEXT })
  @Field(() => MessageKind)
  kind: MessageKind & Opt = MessageKind.TEXT;

  /** Exposed through a field resolver: deleted messages are blanked for most viewers. */
  @Property({ type: 'text' })
  body!: string;

  @Property({ type: 'boolean', default: false })
  @Field(() => Boolean, { description: 'Internal notes are seen by staff only.' })
  internal: boolean & Opt = false;

  @Property({ type: 'text', nullable: true })
  @Field(() => String, { nullable: true, description: 'The id the sending client chose; a resend with the same id returns the first message.' })
  clientMessageId?: string | null;

  /** Delivery to an outside channel (Messenger, e-mail): null for messages that stay in Parley. */
  @Property({ type: 'text', nullable: true })
  deliveryState?: string | null;

  @Property({
    type: 'tsvector',
    lazy: true,
    hidden: true,
    generated: `(to_tsvector('english', coalesce("body", ''))) stored`,
  })
  searchVector?: string & Opt;

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  @Field(() => Date)
  createdAt: Date & Opt = new Date();

  @Property({ type: 'datetime', nullable: true })
  @Field(() => Date, { nullable: true })
  editedAt?: Date | null;

  @Property({ type: 'datetime', nullable: true })
  @Field(() => Date, { nullable: true })
  deletedAt?: Date | null;
}
