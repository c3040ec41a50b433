import { ArrayType, Entity, Enum, Index, ManyToOne, PrimaryKey, Property, type Opt, type Ref } from '@mikro-orm/core';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { newId } from '../../shared/ids';
import { Node } from '../../shared/node';
import { User } from '../accounts/user.entity';
import { ArticleStatus } from './article.enums';
import { KB_SEARCH_CONFIG, KB_TAGS_TEXT_FUNCTION } from './kb-search.config';

/**
 * A help-center article. Counters (`viewCount`, `helpfulCount`, `notHelpfulCount`) are only ever
 * changed by atomic `SET x = x + n` statements in the feedback service, never through the unit
 * of work, so concurrent readers and voters cannot lose each other's updates.
 */
@Entity({ tableName: 'articles' })
@ObjectType({ implements: Node, description: 'A help-center article. Customers and anonymous readers see PUBLISHED ones only.' })
@Index({ name: 'articles_created_at_id_idx', properties: ['createdAt', 'id'] })
@Index({ name: 'articles_status_created_at_id_idx', properties: ['status', 'createdAt', 'id'] })
@Index({ name: 'articles_tags_idx', expression: 'create index "articles_tags_idx" on "articles" using gin ("tags")' })
@Index({ name: 'articles_search_idx', expression: 'create index "articles_search_idx" on "articles" using gin ("search_vector")' })
export class Article {
  @PrimaryKey({ type: 'text' })
  @Field(() => ID)
  id: string & Opt = newId('Article');

  /** The current slug; every slug it ever had (this one included) is kept in `article_slugs`. */
  @Property({ type: 'text', unique: 'articles_slug_unique' })
  @Field({ description: 'URL name, unique. Links with an earlier slug of the article still find it.' })
  slug!: string;

  @Property({ type: 'text' })
  @Field()
  title!: string;

  @Property({ type: 'text' })
  @Field({ description: 'Markdown.' })
  body!: string;

  @Property({ type: 'text', nullable: true })
  @Field(() => String, { nullable: true })
  excerpt?: string | null;

  @Property({ type: 'text', nullable: true })
  @Field(() => String, { nullable: true })
  metaDescription?: string | null;

  @Property({ type: 'text', nullable: true })
  @Index()
  @Field(() => String, { nullable: true })
  category?: string | null;

  /** Trimmed, lower-cased, each once. */
  @Property({ type: ArrayType, default: '{}' })
  @Field(() => [String])
  tags: string[] & Opt = [];

  @Enum({ items: () => ArticleStatus, default: ArticleStatus.DRAFT })
  @Field(() => ArticleStatus)
  status: ArticleStatus & Opt = ArticleStatus.DRAFT;

  /** Exposed through `ArticleFieldsResolver.author` (batched, and guarded by `canSeeUser`). */
  @ManyToOne(() => User, { ref: true, nullable: true, deleteRule: 'set null' })
  @Index()
  author?: Ref<User> | null;

  @Property({ type: 'integer', default: 0 })
  @Field(() => Int, { description: 'Readers, each counted once a day (UTC).' })
  viewCount: number & Opt = 0;

  @Property({ type: 'integer', default: 0 })
  @Field(() => Int)
  helpfulCount: number & Opt = 0;

  @Property({ type: 'integer', default: 0 })
  @Field(() => Int)
  notHelpfulCount: number & Opt = 0;

  /** Set on the first publication and kept through archiving and republishing. */
  @Property({ type: 'datetime', nullable: true })
  @Field(() => Date, { nullable: true })
  publishedAt?: Date | null;

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  @Field(() => Date)
  createdAt: Date & Opt = new Date();

  @Property({ type: 'datetime', defaultRaw: 'now()', onUpdate: () => new Date() })
  @Field(() => Date)
  updatedAt: Date & Opt = new Date();

  /**
   * The search document, maintained by PostgreSQL: title (A), tags (B), excerpt and body (C),
   * stemmed; plus the title's unstemmed words (D), so an unfinished word typed into the search box
   * ("withdrawa") can still prefix-match a title word that the stemmer shortened ("withdrawal").
   */
  @Property({
    type: 'tsvector',
    lazy: true,
    hidden: true,
    // Written as PostgreSQL normalizes it, so the schema diff (and the migrations check) sees no change.
    generated: `(((setweight(to_tsvector('${KB_SEARCH_CONFIG}'::regconfig, title), 'A'::"char") || setweight(to_tsvector('${KB_SEARCH_CONFIG}'::regconfig, ${KB_TAGS_TEXT_FUNCTION}(tags)), 'B'::"char")) || setweight(to_tsvector('${KB_SEARCH_CONFIG}'::regconfig, ((COALESCE(excerpt, ''::text) || ' '::text) || body)), 'C'::"char")) || setweight(to_tsvector('simple'::regconfig, title), 'D'::"char")) stored`,
  })
  searchVector?: string & Opt;
}

/**
 * Every slug an article has had, its current one included. The primary key reserves a slug for
 * good, so an old link never starts pointing at a different article, and makes two concurrent
 * claims of one slug collide in the database rather than in a race between checks.
 */
@Entity({ tableName: 'article_slugs' })
export class ArticleSlug {
  @PrimaryKey({ type: 'text' })
  slug!: string;

  @ManyToOne(() => Article, { ref: true, deleteRule: 'cascade' })
  @Index()
  article!: Ref<Article>;

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  createdAt: Date & Opt = new Date();
}
