import { DeferMode, Entity, Index, PrimaryKey, Property, Unique, type Opt } from '@mikro-orm/core';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { newId } from '../../shared/ids';
import { Node } from '../../shared/node';
import { KB_SEARCH_CONFIG } from './kb-search.config';

/**
 * A frequently asked question. Within its category, positions are dense (1, 2, 3, …): the unique
 * constraint on (category, position) is checked at commit, so a move can shift its neighbours in
 * one transaction, and a lost race fails instead of leaving two questions on one position.
 */
@Entity({ tableName: 'faqs' })
@ObjectType({ implements: Node, description: 'A frequently asked question, ordered within its category.' })
@Unique({ name: 'faqs_category_position_unique', properties: ['categoryKey', 'position'], deferMode: DeferMode.INITIALLY_DEFERRED })
@Index({ name: 'faqs_search_idx', expression: 'create index "faqs_search_idx" on "faqs" using gin ("search_vector")' })
export class Faq {
  @PrimaryKey({ type: 'text' })
  @Field(() => ID)
  id: string & Opt = newId('Faq');

  @Property({ type: 'text' })
  @Field()
  question!: string;

  @Property({ type: 'text' })
  @Field()
  answer!: string;

  @Property({ type: 'text', nullable: true })
  @Field(() => String, { nullable: true })
  category?: string | null;

  /** The category as a key that is never null, so uncategorized questions are ordered (and unique) too. */
  @Property({ type: 'text', generated: `(COALESCE(category, ''::text)) stored` })
  categoryKey?: string & Opt;

  @Property({ type: 'integer' })
  @Field(() => Int, { description: 'Place within its category, from 1, without gaps.' })
  position!: number;

  @Property({ type: 'boolean', default: false })
  @Field(() => Boolean, { description: 'Customers and anonymous readers see published questions only.' })
  published: boolean & Opt = false;

  @Property({ type: 'integer', default: 0 })
  @Field(() => Int, { description: 'Readers, each counted once a day (UTC).' })
  viewCount: number & Opt = 0;

  @Property({ type: 'integer', default: 0 })
  @Field(() => Int)
  helpfulCount: number & Opt = 0;

  @Property({ type: 'integer', default: 0 })
  @Field(() => Int)
  notHelpfulCount: number & Opt = 0;

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  @Field(() => Date)
  createdAt: Date & Opt = new Date();

  @Property({ type: 'datetime', defaultRaw: 'now()', onUpdate: () => new Date() })
  @Field(() => Date)
  updatedAt: Date & Opt = new Date();

  /** Question (A) and answer (C), stemmed; the question's unstemmed words (D) for as-you-type prefixes. */
  @Property({
    type: 'tsvector',
    lazy: true,
    hidden: true,
    generated: `((setweight(to_tsvector('${KB_SEARCH_CONFIG}'::regconfig, question), 'A'::"char") || setweight(to_tsvector('${KB_SEARCH_CONFIG}'::regconfig, answer), 'C'::"char")) || setweight(to_tsvector('simple'::regconfig, question), 'D'::"char")) stored`,
  })
  searchVector?: string & Opt;
}
