import { Migration } from '@mikro-orm/migrations';

/**
 * The knowledge base: articles (with their slug history, votes and daily views) and FAQs (with
 * votes and daily views). Search documents are generated columns over an IMMUTABLE helper for
 * the tags, indexed with GIN; see src/modules/articles/kb-search.config.ts.
 */
export class Migration20261121143923_knowledge_base extends Migration {

  override async up(): Promise<void> {
    // A SQL-standard body is bound at creation, so the helper does not depend on search_path.
    this.addSql(`create function "kb_tags_text"(tags text[]) returns text language sql immutable strict parallel safe return array_to_string(tags, ' ');`);

    this.addSql(`create table "articles" ("id" text not null, "slug" text not null, "title" text not null, "body" text not null, "excerpt" text null, "meta_description" text null, "category" text null, "tags" text[] not null default '{}', "status" text check ("status" in ('DRAFT', 'PUBLISHED', 'ARCHIVED')) not null default 'DRAFT', "author_id" text null, "view_count" int not null default 0, "helpful_count" int not null default 0, "not_helpful_count" int not null default 0, "published_at" timestamptz null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "search_vector" tsvector generated always as (((setweight(to_tsvector('english'::regconfig, title), 'A'::"char") || setweight(to_tsvector('english'::regconfig, kb_tags_text(tags)), 'B'::"char")) || setweight(to_tsvector('english'::regconfig, ((COALESCE(excerpt, ''::text) || ' '::text) || body)), 'C'::"char")) || setweight(to_tsvector('simple'::regconfig, title), 'D'::"char")) stored not null, constraint "articles_pkey" primary key ("id"));`);
    this.addSql(`alter table "articles" add constraint "articles_slug_unique" unique ("slug");`);
    this.addSql(`create index "articles_category_index" on "articles" ("category");`);
    this.addSql(`create index "articles_author_id_index" on "articles" ("author_id");`);
    this.addSql(`create index "articles_search_idx" on "articles" using gin ("search_vector");`);
    this.addSql(`create index "articles_tags_idx" on "articles" using gin ("tags");`);
    this.addSql(`create index "articles_status_created_at_id_idx" on "articles" ("status", "created_at", "id");`);
    this.addSql(`create index "articles_created_at_id_idx" on "articles" ("created_at", "id");`);
    this.addSql(`alter table "articles" add constraint "articles_author_id_foreign" foreign key ("author_id") references "users" ("id") on update cascade on delete set null;`);

    this.addSql(`create table "article_slugs" ("slug" text not null, "article_id" text not null, "created_at" timestamptz not null default now(), constraint "article_slugs_pkey" primary key ("slug"));`);
    this.addSql(`create index "article_slugs_article_id_index" on "article_slugs" ("article_id");`);
    this.addSql(`alter table "article_slugs" add constraint "article_slugs_article_id_foreign" foreign key ("article_id") references "articles" ("id") on update cascade on delete cascade;`);

    this.addSql(`create table "article_votes" ("article_id" text not null, "voter_id" text not null, "helpful" boolean not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), constraint "article_votes_pkey" primary key ("article_id", "voter_id"));`);
    this.addSql(`create index "article_votes_voter_id_index" on "article_votes" ("voter_id");`);
    this.addSql(`alter table "article_votes" add constraint "article_votes_article_id_foreign" foreign key ("article_id") references "articles" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "article_votes" add constraint "article_votes_voter_id_foreign" foreign key ("voter_id") references "users" ("id") on update cascade on delete cascade;`);

    this.addSql(`create table "article_views" ("article_id" text not null, "reader_key" text not null, "day" date not null, constraint "article_views_pkey" primary key ("article_id", "reader_key", "day"));`);
    this.addSql(`create index "article_views_day_idx" on "article_views" ("day");`);
    this.addSql(`alter table "article_views" add constraint "article_views_article_id_foreign" foreign key ("article_id") references "articles" ("id") on update cascade on delete cascade;`);

    this.addSql(`create table "faqs" ("id" text not null, "question" text not null, "answer" text not null, "category" text null, "category_key" text generated always as (COALESCE(category, ''::text)) stored not null, "position" int not null, "published" boolean not null default false, "view_count" int not null default 0, "helpful_count" int not null default 0, "not_helpful_count" int not null default 0, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "search_vector" tsvector generated always as ((setweight(to_tsvector('english'::regconfig, question), 'A'::"char") || setweight(to_tsvector('english'::regconfig, answer), 'C'::"char")) || setweight(to_tsvector('simple'::regconfig, question), 'D'::"char")) stored not null, constraint "faqs_pkey" primary key ("id"));`);
    this.addSql(`create index "faqs_search_idx" on "faqs" using gin ("search_vector");`);
    // Checked at commit: a move shifts its neighbours through transient duplicates.
    this.addSql(`alter table "faqs" add constraint "faqs_category_position_unique" unique ("category_key", "position") deferrable initially deferred;`);

    this.addSql(`create table "faq_votes" ("faq_id" text not null, "voter_id" text not null, "helpful" boolean not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), constraint "faq_votes_pkey" primary key ("faq_id", "voter_id"));`);
    this.addSql(`create index "faq_votes_voter_id_index" on "faq_votes" ("voter_id");`);
    this.addSql(`alter table "faq_votes" add constraint "faq_votes_faq_id_foreign" foreign key ("faq_id") references "faqs" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "faq_votes" add constraint "faq_votes_voter_id_foreign" foreign key ("voter_id") references "users" ("id") on update cascade on delete cascade;`);

    this.addSql(`create table "faq_views" ("faq_id" text not null, "reader_key" text not null, "day" date not null, constraint "faq_views_pkey" primary key ("faq_id", "reader_key", "day"));`);
    this.addSql(`create index "faq_views_day_idx" on "faq_views" ("day");`);
    this.addSql(`alter table "faq_views" add constraint "faq_views_faq_id_foreign" foreign key ("faq_id") references "faqs" ("id") on update cascade on delete cascade;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "faq_views";`);
    this.addSql(`drop table if exists "faq_votes";`);
    this.addSql(`drop table if exists "faqs";`);
    this.addSql(`drop table if exists "article_views";`);
    this.addSql(`drop table if exists "article_votes";`);
    this.addSql(`drop table if exists "article_slugs";`);
    this.addSql(`drop table if exists "articles";`);
    this.addSql(`drop function if exists "kb_tags_text"(text[]);`);
  }

}
