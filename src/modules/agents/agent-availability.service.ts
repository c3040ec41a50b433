import { LockMode } from '@mikro-orm/core';
import { createRequestContext, type AppServices, type RequestContext } from '../../server/context';
import { requireViewer } from '../../shared/auth/guards';
import { canSetOwnAgentStatus } from '../../shared/auth/policies';
import { forbidden } from '../../shared/errors';
import { handBackTickets } from '../routing/routing.service';
import { agentPresenceOf } from './agent-presence.registry';
import { ticketTransaction, type TicketWork } from '../tickets/ticket.service';
import { AgentStatus } from './agent-status';
import { Agent } from './agent.entity';

export interface StatusCause {
  /** Presence (not the agent) decided: a reconnect brings back only what the system took. */
  bySystem: boolean;
  /** Null for the system. */
  actorId: string | null;
  /** Ends the hand-back note "handed back: <name> <why>". */
  why: string;
  autoAssign: boolean;
}

/**
 * Moves an agent (row locked by the caller) to `to`, in the caller's unit of work, and queues
 * agentStatusChanged for after the commit. OFFLINE hands their open tickets back to routing;
 * AVAILABLE offers them the queue (routing's after-change step fills the capacity that appeared).
 * Returns false when the status did not change.
 */
export async function changeAgentStatus(work: TicketWork, agent: Agent, to: AgentStatus, cause: StatusCause): Promise<boolean> {
  agent.statusSetBySystem = cause.bySystem && to === AgentStatus.OFFLINE;
  const from = agent.status;
  if (from === to) return false;
  agent.status = to;
  // Routing reads availability in SQL: it must see this change.
  await work.em.flush();
  work.outbox.push({ type: 'AGENT_STATUS_CHANGED', agentId: agent.id, status: to, bySystem: cause.bySystem });
  if (to === AgentStatus.OFFLINE) await handBackTickets(work, agent, cause);
  if (to === AgentStatus.AVAILABLE) work.changes.freedAgentIds.push(agent.id);
  return true;
}

/** The viewer sets their own availability (staff only); setting it counts as being seen. */
export async function setAgentStatus(ctx: RequestContext, status: AgentStatus): Promise<Agent> {
  const viewer = requireViewer(ctx);
  if (!canSetOwnAgentStatus(viewer)) throw forbidden('Only support staff have an availability.');
  const agent = await ticketTransaction(ctx, async (work) => {
    const agent = await work.em.findOne(Agent, { user: viewer.userId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
    if (!agent) throw forbidden('You have no agent profile.');
    agent.lastSeenAt = new Date();
    await changeAgentStatus(work, agent, status, { bySystem: false, actorId: viewer.userId, why: 'went offline', autoAssign: ctx.app.config.autoAssign });
    return agent;
  });
  agentPresenceOf(ctx.app)?.statusSet(viewer.userId, agent.status);
  return agent;
}

/** A context for work the system does on its own (no viewer: history shows no actor). */
export function systemContext(app: AppServices, what: string): RequestContext {
  return createRequestContext(app, null, what);
}
