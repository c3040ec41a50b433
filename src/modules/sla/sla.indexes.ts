import { Index } from '@mikro-orm/core';
import { Ticket } from '../tickets/ticket.entity';

/**
 * The breach job's indexes on the tickets table (which the tickets module owns), registered on
 * the entity before discovery (src/infra/entities.ts imports this file) so the migrations check
 * sees them. Both are partial: they hold only running clocks not yet marked breached, so they stay
 * small however many tickets there are, and the job's "due before now" scan reads only what is late.
 */
Index({
  name: 'tickets_sla_first_response_due_idx',
  expression:
    `create index "tickets_sla_first_response_due_idx" on "tickets" ("first_response_due_at") ` +
    `where "sla_breached_at" is null and "first_response_at" is null and "status" in ('OPEN', 'IN_PROGRESS', 'WAITING_ON_CUSTOMER')`,
})(Ticket);

Index({
  name: 'tickets_sla_resolution_due_idx',
  expression:
    `create index "tickets_sla_resolution_due_idx" on "tickets" ("resolution_due_at") ` +
    `where "sla_breached_at" is null and "sla_paused_at" is null and "resolution_due_at" is not null`,
})(Ticket);
