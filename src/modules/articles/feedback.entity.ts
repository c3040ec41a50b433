import { Entity, Index, ManyToOne, PrimaryKey, PrimaryKeyProp, Property, type Opt, type Ref } from '@mikro-orm/core';
import { User } from '../accounts/user.entity';
import { Article } from './article.entity';
import { Faq } from './faq.entity';

/**
 * Helpful / not helpful, one per person and article. A guest (web-widget visitor) is a user of
 * their own, so one guest session holds one vote. Changing the vote moves it between counters.
 */
@Entity({ tableName: 'article_votes' })
export class ArticleVote {
  [PrimaryKeyProp]?: ['article', 'voter'];

  @ManyToOne(() => Article, { primary: true, ref: true, deleteRule: 'cascade' })
  article!: Ref<Article>;

  @ManyToOne(() => User, { primary: true, ref: true, deleteRule: 'cascade' })
  @Index()
  voter!: Ref<User>;

  @Property({ type: 'boolean' })
  helpful!: boolean;

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  createdAt: Date & Opt = new Date();

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  updatedAt: Date & Opt = new Date();
}

/** One row per reader, article and UTC day: the first insert of the day is the one that counts. */
@Entity({ tableName: 'article_views' })
@Index({ name: 'article_views_day_idx', properties: ['day'] })
export class ArticleView {
  [PrimaryKeyProp]?: ['article', 'readerKey', 'day'];

  @ManyToOne(() => Article, { primary: true, ref: true, deleteRule: 'cascade' })
  article!: Ref<Article>;

  /** `u:<user id>` for signed-in readers and guests; `v:<hash of the visitor id>` for anonymous ones. */
  @PrimaryKey({ type: 'text' })
  readerKey!: string;

  @PrimaryKey({ type: 'date' })
  day!: string;
}

/** Helpful / not helpful, one per person and FAQ. */
@Entity({ tableName: 'faq_votes' })
export class FaqVote {
  [PrimaryKeyProp]?: ['faq', 'voter'];

  @ManyToOne(() => Faq, { primary: true, ref: true, deleteRule: 'cascade' })
  faq!: Ref<Faq>;

  @ManyToOne(() => User, { primary: true, ref: true, deleteRule: 'cascade' })
  @Index()
  voter!: Ref<User>;

  @Property({ type: 'boolean' })
  helpful!: boolean;

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  createdAt: Date & Opt = new Date();

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  updatedAt: Date & Opt = new Date();
}

/** One row per reader, FAQ and UTC day. */
@Entity({ tableName: 'faq_views' })
@Index({ name: 'faq_views_day_idx', properties: ['day'] })
export class FaqView {
  [PrimaryKeyProp]?: ['faq', 'readerKey', 'day'];

  @ManyToOne(() => Faq, { primary: true, ref: true, deleteRule: 'cascade' })
  faq!: Ref<Faq>;

  @PrimaryKey({ type: 'text' })
  readerKey!: string;

  @PrimaryKey({ type: 'date' })
  day!: string;
}
