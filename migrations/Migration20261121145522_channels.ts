import { Migration } from '@mikro-orm/migrations';

/**
 * Channels: one durable job table behind the Messenger outbox, the mail outbox and scheduled
 * acknowledgements (see src/infra/outbox/job-runner.ts). The partial indexes cover only what
 * workers look for: unfinished jobs by due time, and unfinished jobs per group.
 */
export class Migration20261121145522_channels extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "jobs" ("id" bigserial primary key, "kind" text not null, "payload" jsonb not null, "group_key" text null, "dedupe_key" text null, "run_at" timestamptz not null default now(), "attempts" int not null default 0, "last_error" text null, "claim_token" text null, "locked_until" timestamptz null, "done_at" timestamptz null, "failed_at" timestamptz null, "created_at" timestamptz not null default now());`);
    this.addSql(`alter table "jobs" add constraint "jobs_dedupe_key_unique" unique ("dedupe_key");`);
    this.addSql(`create index "jobs_group_pending_idx" on "jobs" ("group_key", "id") where "group_key" is not null and "done_at" is null and "failed_at" is null;`);
    this.addSql(`create index "jobs_due_idx" on "jobs" ("run_at", "id") where "done_at" is null and "failed_at" is null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "jobs" cascade;`);
  }

}
