import { ArrayType, Entity, Enum, Index, ManyToOne, PrimaryKey, Property, type Opt, type Ref } from '@mikro-orm/core';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { newId } from '../../shared/ids';
import { Node } from '../../shared/node';
import { User } from '../accounts/user.entity';
import { Agent } from '../agents/agent.entity';
import { TicketChannel, TicketPriority, TicketStatus } from './ticket.enums';

/**
 * A support conversation. Counters (`messageCount`, `lastSeq`, `lastMessageAt`) are updated in the
 * same statement that appends a message, under the row lock, so they never drift.
 */
@Entity({ tableName: 'tickets' })
@ObjectType({ implements: Node })
@Index({ name: 'tickets_created_at_id_idx', properties: ['createdAt', 'id'] })
@Index({ name: 'tickets_updated_at_id_idx', properties: ['updatedAt', 'id'] })
@Index({ name: 'tickets_last_activity_at_id_idx', properties: ['lastActivityAt', 'id'] })
@Index({ name: 'tickets_priority_rank_id_idx', properties: ['priorityRank', 'id'] })
@Index({ name: 'tickets_customer_created_idx', properties: ['customer', 'createdAt'] })
@Index({ name: 'tickets_assignee_status_idx', properties: ['assignee', 'status'] })
@Index({ name: 'tickets_tags_idx', expression: 'create index "tickets_tags_idx" on "tickets" using gin ("tags")' })
@Index({ name: 'tickets_queue_idx', properties: ['queuedAt'] })
@Index({ name: 'tickets_search_idx', expression: 'create index "tickets_search_idx" on "tickets" using gin ("search_vector")' })
export class Ticket {
  @PrimaryKey({ type: 'text' })
  @Field(() => ID)
  id: string & Opt = newId('Ticket');

  @Property({ type: 'text', unique: 'tickets_number_unique' })
  @Field({ description: 'Human-facing number, TKT-YYYYMMDD-NNNNN, unique.' })
  number!: string;

  @Property({ type: 'text' })
  @Field()
  subject!: string;

  @Property({ type: 'text', nullable: true })
  @Field(() => String, { nullable: true })
  description?: string | null;

  @Enum({ items: () => TicketStatus, default: TicketStatus.OPEN })
  @Index()
  @Field(() => TicketStatus)
  status: TicketStatus & Opt = TicketStatus.OPEN;

  @Enum({ items: () => TicketPriority, default: TicketPriority.NORMAL })
  @Index()
  @Field(() => TicketPriority)
  priority: TicketPriority & Opt = TicketPriority.NORMAL;

  /** Maintained by PostgreSQL from `priority`, so PRIORITY ordering is a plain index scan. */
  @Property({
    type: 'smallint',
    generated: `(case "priority" when 'URGENT' then 3 when 'HIGH' then 2 when 'NORMAL' then 1 else 0 end) stored`,
  })
  priorityRank?: number & Opt;

  @Enum({ items: () => TicketChannel, default: TicketChannel.WEB })
  @Index()
  @Field(() => TicketChannel)
  channel: TicketChannel & Opt = TicketChannel.WEB;

  @Property({ type: 'text', nullable: true })
  @Index()
  @Field(() => String, { nullable: true })
  category?: string | null;

  @Property({ type: 'text', nullable: true })
  @Index()
  @Field(() => String, { nullable: true })
  department?: string | null;

  @Property({ type: ArrayType, default: '{}' })
  @Field(() => [String])
  tags: string[] & Opt = [];

  /** The customer's language (e.g. `fr`), when the client knows it; routing prefers agents who speak it. */
  @Property({ type: 'text', nullable: true })
  @Field(() => String, { nullable: true, description: 'The conversation language (e.g. "en", "fr") when known; routing prefers agents who speak it.' })
  language?: string | null;

  @ManyToOne(() => User, { ref: true })
  customer!: Ref<User>;

  @ManyToOne(() => Agent, { ref: true, nullable: true })
  assignee?: Ref<Agent> | null;

  /** Every message, internal notes included (what staff see). */
  @Property({ type: 'integer', default: 0 })
  messageCount: number & Opt = 0;

  /** Messages a customer can see: internal notes would otherwise show through the counters. */
  @Property({ type: 'integer', default: 0 })
  publicMessageCount: number & Opt = 0;

  /** The seq of the newest message; the next message gets `lastSeq + 1`. */
  @Property({ type: 'integer', default: 0 })
  lastSeq: number & Opt = 0;

  @Property({ type: 'datetime', nullable: true })
  lastMessageAt?: Date | null;

  @Property({ type: 'datetime', nullable: true })
  lastPublicMessageAt?: Date | null;

  /** LAST_MESSAGE_AT ordering key: never null (a ticket without messages sorts by creation), so keyset cursors work. */
  @Property({ type: 'datetime', generated: '(COALESCE(last_public_message_at, created_at)) stored' })
  lastActivityAt?: Date & Opt;

  @Property({ type: 'datetime', nullable: true })
  @Field(() => Date, { nullable: true })
  firstResponseAt?: Date | null;

  @Property({ type: 'datetime', nullable: true })
  @Field(() => Date, { nullable: true })
  resolvedAt?: Date | null;

  @Property({ type: 'datetime', nullable: true })
  @Field(() => Date, { nullable: true })
  closedAt?: Date | null;

  /** When the ticket started waiting for an agent (created or reopened unassigned); drives queue order. */
  @Property({ type: 'datetime', nullable: true })
  queuedAt?: Date | null;

  /** SLA clock: targets and when the resolution clock was paused (WAITING_ON_CUSTOMER). */
  @Property({ type: 'datetime', nullable: true })
  firstResponseDueAt?: Date | null;

  @Property({ type: 'datetime', nullable: true })
  resolutionDueAt?: Date | null;

  @Property({ type: 'datetime', nullable: true })
  slaPausedAt?: Date | null;

  @Property({ type: 'datetime', nullable: true })
  slaBreachedAt?: Date | null;

  @Property({ type: 'smallint', nullable: true })
  @Field(() => Int, { nullable: true, description: 'Customer satisfaction, 1 to 5.' })
  rating?: number | null;

  @Property({ type: 'text', nullable: true })
  @Field(() => String, { nullable: true })
  feedback?: string | null;

  @Property({ type: 'datetime', nullable: true })
  ratedAt?: Date | null;

  /** Full-text document: number and subject weigh most, then description. Message bodies have their own. */
  @Property({
    type: 'tsvector',
    lazy: true,
    hidden: true,
    // Written as PostgreSQL normalizes it, so the schema diff (and the migrations check) sees no change.
    generated: `((setweight(to_tsvector('simple'::regconfig, COALESCE(number, ''::text)), 'A'::"char") || setweight(to_tsvector('english'::regconfig, COALESCE(subject, ''::text)), 'A'::"char")) || setweight(to_tsvector('english'::regconfig, COALESCE(description, ''::text)), 'B'::"char")) stored`,
  })
  searchVector?: string & Opt;

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  @Field(() => Date)
  createdAt: Date & Opt = new Date();

  @Property({ type: 'datetime', defaultRaw: 'now()', onUpdate: () => new Date() })
  @Field(() => Date)
  updatedAt: Date & Opt = new Date();
}

/** Per-day counters behind ticket numbers; bumped with an upsert, so concurrent creates never collide. */
@Entity({ tableName: 'ticket_number_sequences' })
export class TicketNumberSequence {
  @PrimaryKey({ type: 'text' })
  day!: string;

  @Property({ type: 'integer' })
  lastValue!: number;
}
