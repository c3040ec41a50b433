import { Index } from '@mikro-orm/core';
import { Ticket } from '../tickets/ticket.entity';

/**
 * Indexes the dashboard needs on a table another module owns. They are declared here, beside
 * the queries that need them, and registered on the entity before discovery (src/infra/entities.ts
 * imports this file), so the migrations check sees them like any `@Index` on the class.
 *
 * - `tickets_resolved_at_idx`: resolutions inside a partial hour (a range edge, `resolvedToday`
 *   up to now), which the hourly rollups can not split.
 */
Index({
  name: 'tickets_resolved_at_idx',
  expression: 'create index "tickets_resolved_at_idx" on "tickets" ("resolved_at") where "resolved_at" is not null',
})(Ticket);
