import { Migration } from '@mikro-orm/migrations';

/** Core tables: accounts, sessions, agents, tickets, events, messages, attachments, read cursors, notifications. */
export class Migration20261121143041_core extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "ticket_number_sequences" ("day" text not null, "last_value" int not null, constraint "ticket_number_sequences_pkey" primary key ("day"));`);

    this.addSql(`create table "users" ("id" text not null, "name" text not null, "email" text null, "password_hash" text null, "role" text check ("role" in ('CUSTOMER', 'AGENT', 'SUPERVISOR', 'ADMIN')) not null default 'CUSTOMER', "is_guest" boolean not null default false, "active" boolean not null default true, "messenger_psid" text null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), constraint "users_pkey" primary key ("id"));`);
    this.addSql(`create index "users_role_index" on "users" ("role");`);
    this.addSql(`alter table "users" add constraint "users_messenger_psid_unique" unique ("messenger_psid");`);
    this.addSql(`create unique index "users_email_unique" on "users" ("email") where "email" is not null and not "is_guest";`);

    this.addSql(`create table "sessions" ("id" text not null, "user_id" text not null, "created_at" timestamptz not null default now(), "expires_at" timestamptz not null, "revoked_at" timestamptz null, "revoked_reason" text null, constraint "sessions_pkey" primary key ("id"));`);
    this.addSql(`create index "sessions_user_id_index" on "sessions" ("user_id");`);

    this.addSql(`create table "refresh_tokens" ("token_hash" text not null, "session_id" text not null, "created_at" timestamptz not null default now(), "used_at" timestamptz null, constraint "refresh_tokens_pkey" primary key ("token_hash"));`);
    this.addSql(`create index "refresh_tokens_session_id_index" on "refresh_tokens" ("session_id");`);

    this.addSql(`create table "agents" ("id" text not null, "user_id" text not null, "department" text null, "skills" text[] not null default '{}', "languages" text[] not null default '{}', "status" text check ("status" in ('AVAILABLE', 'BUSY', 'AWAY', 'OFFLINE')) not null default 'OFFLINE', "status_set_by_system" boolean not null default false, "max_concurrent_tickets" int not null default 5, "active" boolean not null default true, "last_seen_at" timestamptz null, "last_assigned_at" timestamptz null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), constraint "agents_pkey" primary key ("id"));`);
    this.addSql(`alter table "agents" add constraint "agents_user_unique" unique ("user_id");`);
    this.addSql(`create index "agents_department_index" on "agents" ("department");`);
    this.addSql(`create index "agents_status_index" on "agents" ("status");`);

    this.addSql(`create table "tickets" ("id" text not null, "number" text not null, "subject" text not null, "description" text null, "status" text check ("status" in ('OPEN', 'IN_PROGRESS', 'WAITING_ON_CUSTOMER', 'RESOLVED', 'CLOSED')) not null default 'OPEN', "priority" text check ("priority" in ('LOW', 'NORMAL', 'HIGH', 'URGENT')) not null default 'NORMAL', "priority_rank" smallint generated always as (case "priority" when 'URGENT' then 3 when 'HIGH' then 2 when 'NORMAL' then 1 else 0 end) stored not null, "channel" text check ("channel" in ('WEB', 'MOBILE', 'API', 'EMAIL', 'MESSENGER')) not null default 'WEB', "category" text null, "department" text null, "tags" text[] not null default '{}', "customer_id" text not null, "assignee_id" text null, "message_count" int not null default 0, "public_message_count" int not null default 0, "last_seq" int not null default 0, "last_message_at" timestamptz null, "last_public_message_at" timestamptz null, "last_activity_at" timestamptz generated always as (COALESCE(last_public_message_at, created_at)) stored not null, "first_response_at" timestamptz null, "resolved_at" timestamptz null, "closed_at" timestamptz null, "queued_at" timestamptz null, "first_response_due_at" timestamptz null, "resolution_due_at" timestamptz null, "sla_paused_at" timestamptz null, "sla_breached_at" timestamptz null, "rating" smallint null, "feedback" text null, "rated_at" timestamptz null, "search_vector" tsvector generated always as ((setweight(to_tsvector('simple'::regconfig, COALESCE(number, ''::text)), 'A'::"char") || setweight(to_tsvector('english'::regconfig, COALESCE(subject, ''::text)), 'A'::"char")) || setweight(to_tsvector('english'::regconfig, COALESCE(description, ''::text)), 'B'::"char")) stored not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), constraint "tickets_pkey" primary key ("id"));`);
    this.addSql(`alter table "tickets" add constraint "tickets_number_unique" unique ("number");`);
    this.addSql(`create index "tickets_status_index" on "tickets" ("status");`);
    this.addSql(`create index "tickets_priority_index" on "tickets" ("priority");`);
    this.addSql(`create index "tickets_channel_index" on "tickets" ("channel");`);
    this.addSql(`create index "tickets_category_index" on "tickets" ("category");`);
    this.addSql(`create index "tickets_department_index" on "tickets" ("department");`);
    this.addSql(`create index "tickets_search_idx" on "tickets" using gin ("search_vector");`);
    this.addSql(`create index "tickets_queue_idx" on "tickets" ("queued_at");`);
    this.addSql(`create index "tickets_tags_idx" on "tickets" using gin ("tags");`);
    this.addSql(`create index "tickets_assignee_status_idx" on "tickets" ("assignee_id", "status");`);
    this.addSql(`create index "tickets_customer_created_idx" on "tickets" ("customer_id", "created_at");`);
    this.addSql(`create index "tickets_priority_rank_id_idx" on "tickets" ("priority_rank", "id");`);
    this.addSql(`create index "tickets_last_activity_at_id_idx" on "tickets" ("last_activity_at", "id");`);
    this.addSql(`create index "tickets_updated_at_id_idx" on "tickets" ("updated_at", "id");`);
    this.addSql(`create index "tickets_created_at_id_idx" on "tickets" ("created_at", "id");`);

    this.addSql(`create table "ticket_events" ("id" text not null, "ticket_id" text not null, "kind" text check ("kind" in ('CREATED', 'STATUS_CHANGED', 'PRIORITY_CHANGED', 'ASSIGNED', 'UPDATED', 'RATED', 'SLA_BREACHED')) not null, "actor_id" text null, "from_status" text check ("from_status" in ('OPEN', 'IN_PROGRESS', 'WAITING_ON_CUSTOMER', 'RESOLVED', 'CLOSED')) null, "to_status" text check ("to_status" in ('OPEN', 'IN_PROGRESS', 'WAITING_ON_CUSTOMER', 'RESOLVED', 'CLOSED')) null, "data" jsonb null, "note" text null, "at" timestamptz not null default now(), constraint "ticket_events_pkey" primary key ("id"));`);
    this.addSql(`create index "ticket_events_at_idx" on "ticket_events" ("at");`);
    this.addSql(`create index "ticket_events_ticket_at_idx" on "ticket_events" ("ticket_id", "at", "id");`);

    this.addSql(`create table "read_cursors" ("ticket_id" text not null, "user_id" text not null, "last_read_seq" int not null, "read_at" timestamptz not null, constraint "read_cursors_pkey" primary key ("ticket_id", "user_id"));`);

    this.addSql(`create table "notifications" ("id" text not null, "recipient_id" text not null, "kind" text check ("kind" in ('NEW_TICKET', 'TICKET_ASSIGNED', 'NEW_MESSAGE', 'STATUS_CHANGED', 'PRIORITY_ESCALATED', 'SLA_BREACHED')) not null, "title" text not null, "body" text null, "ticket_id" text null, "read_at" timestamptz null, "created_at" timestamptz not null default now(), constraint "notifications_pkey" primary key ("id"));`);
    this.addSql(`create index "notifications_recipient_unread_idx" on "notifications" ("recipient_id") where "read_at" is null;`);
    this.addSql(`create index "notifications_recipient_created_idx" on "notifications" ("recipient_id", "created_at", "id");`);

    this.addSql(`create table "messages" ("id" text not null, "ticket_id" text not null, "seq" int not null, "author_id" text null, "author_kind" text check ("author_kind" in ('CUSTOMER', 'AGENT', 'SYSTEM')) not null, "kind" text check ("kind" in ('TEXT', 'IMAGE', 'FILE', 'SYSTEM')) not null default 'TEXT', "body" text not null, "internal" boolean not null default false, "client_message_id" text null, "delivery_state" text null, "search_vector" tsvector generated always as (to_tsvector('english', coalesce("body", ''))) stored not null, "created_at" timestamptz not null default now(), "edited_at" timestamptz null, "deleted_at" timestamptz null, constraint "messages_pkey" primary key ("id"));`);
    this.addSql(`create index "messages_search_idx" on "messages" using gin ("search_vector");`);
    this.addSql(`create unique index "messages_client_message_id_unique" on "messages" ("ticket_id", "author_id", "client_message_id") where "client_message_id" is not null;`);
    this.addSql(`create index "messages_author_created_idx" on "messages" ("author_id", "created_at");`);
    this.addSql(`create index "messages_created_at_idx" on "messages" ("created_at");`);
    this.addSql(`alter table "messages" add constraint "messages_ticket_seq_unique" unique ("ticket_id", "seq");`);

    this.addSql(`create table "attachments" ("id" text not null, "uploader_id" text not null, "message_id" text null, "filename" text not null, "mime_type" text not null, "size" int not null, "storage_key" text not null, "created_at" timestamptz not null default now(), constraint "attachments_pkey" primary key ("id"));`);
    this.addSql(`create index "attachments_uploader_id_index" on "attachments" ("uploader_id");`);
    this.addSql(`create index "attachments_message_id_index" on "attachments" ("message_id");`);

    this.addSql(`alter table "sessions" add constraint "sessions_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "refresh_tokens" add constraint "refresh_tokens_session_id_foreign" foreign key ("session_id") references "sessions" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "agents" add constraint "agents_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "tickets" add constraint "tickets_customer_id_foreign" foreign key ("customer_id") references "users" ("id") on update cascade;`);
    this.addSql(`alter table "tickets" add constraint "tickets_assignee_id_foreign" foreign key ("assignee_id") references "agents" ("id") on update cascade on delete set null;`);

    this.addSql(`alter table "ticket_events" add constraint "ticket_events_ticket_id_foreign" foreign key ("ticket_id") references "tickets" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "ticket_events" add constraint "ticket_events_actor_id_foreign" foreign key ("actor_id") references "users" ("id") on update cascade on delete set null;`);

    this.addSql(`alter table "read_cursors" add constraint "read_cursors_ticket_id_foreign" foreign key ("ticket_id") references "tickets" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "read_cursors" add constraint "read_cursors_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "notifications" add constraint "notifications_recipient_id_foreign" foreign key ("recipient_id") references "users" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "notifications" add constraint "notifications_ticket_id_foreign" foreign key ("ticket_id") references "tickets" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "messages" add constraint "messages_ticket_id_foreign" foreign key ("ticket_id") references "tickets" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "messages" add constraint "messages_author_id_foreign" foreign key ("author_id") references "users" ("id") on update cascade on delete set null;`);

    this.addSql(`alter table "attachments" add constraint "attachments_uploader_id_foreign" foreign key ("uploader_id") references "users" ("id") on update cascade;`);
    this.addSql(`alter table "attachments" add constraint "attachments_message_id_foreign" foreign key ("message_id") references "messages" ("id") on update cascade on delete set null;`);
  }

  override async down(): Promise<void> {
    for (const table of [
      'notifications',
      'read_cursors',
      'attachments',
      'messages',
      'ticket_events',
      'tickets',
      'ticket_number_sequences',
      'agents',
      'refresh_tokens',
      'sessions',
      'users',
    ]) {
      this.addSql(`drop table if exists "${table}" cascade;`);
    }
  }
}
