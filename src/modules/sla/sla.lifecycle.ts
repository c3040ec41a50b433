import type { TicketLifecycleListener } from '../tickets/ticket.lifecycle';
import { DEFAULT_SLA_POLICY, targetsFor, type SlaPolicy } from './sla.policy';
import { moveSlaClock, planSla, replanSla } from './sla.rules';

/**
 * The policy the ticket lifecycle plans with. The listeners run inside the tickets module's
 * units of work, without the app at hand, so the app installs its configured policy here at
 * start (`startSla`); every instance of a deployment reads the same configuration.
 */
let installed: SlaPolicy = DEFAULT_SLA_POLICY;

export function installSlaPolicy(policy: SlaPolicy): void {
  installed = policy;
}

/** Plans the clocks when a ticket is created, pauses and resumes them with its status, re-plans on a priority or department change. */
export const slaClockListener: TicketLifecycleListener = {
  created: (ticket) => planSla(ticket, targetsFor(installed, ticket.priority, ticket.department)),
  statusChanged: (ticket, from, to, at) => moveSlaClock(ticket, from, to, at),
  priorityChanged: (ticket, from, to, at) =>
    replanSla(ticket, targetsFor(installed, from, ticket.department), targetsFor(installed, to, ticket.department), at),
  departmentChanged: (ticket, from, to, at) =>
    replanSla(ticket, targetsFor(installed, ticket.priority, from), targetsFor(installed, ticket.priority, to), at),
};
