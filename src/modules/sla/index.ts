import type { AppServices } from '../../server/context';
import { onTicketLifecycle } from '../tickets/ticket.lifecycle';
import { installSlaPolicy, slaClockListener } from './sla.lifecycle';
import { createSlaMonitor } from './sla.monitor';
import { TicketSlaFieldsResolver } from './ticket-sla-fields.resolver';

export { clock, useFixedClock, useSystemClock } from './clock';
export { SlaStatus } from './sla.enums';
export { slaAppliesSql, slaMissedSql } from './sla.rules';
export { LeaderJob } from './leader-job';
export { createSlaMonitor, SLA_JOB_LOCK_ID } from './sla.monitor';
export { markSlaBreaches } from './sla.service';

onTicketLifecycle(slaClockListener);

export const slaResolvers = [TicketSlaFieldsResolver];

/**
 * At app start: plan new tickets with the configured policy and, unless the interval is 0, run
 * the breach job (on whichever instance holds the leader lock). Returns its stop.
 */
export function startSla(app: AppServices): { stop(): Promise<void> } {
  installSlaPolicy(app.config.sla.policy);
  if (app.config.sla.checkIntervalMs <= 0) return { stop: async () => undefined };
  const monitor = createSlaMonitor(app, { intervalMs: app.config.sla.checkIntervalMs });
  monitor.start();
  return { stop: () => monitor.stop() };
}
