import { Migration } from '@mikro-orm/migrations';

/** Tickets may name their conversation language; routing prefers agents who speak it. */
export class Migration20261121163500_ticket_language extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "tickets" add column "language" text null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "tickets" drop column "language";`);
  }
}
