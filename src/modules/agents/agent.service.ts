import { LockMode, UniqueConstraintViolationException, type FilterQuery } from '@mikro-orm/core';
import type { RequestContext } from '../../server/context';
import { requireAdmin, requireViewer } from '../../shared/auth/guards';
import { hashPassword } from '../../shared/auth/passwords';
import { canSeeAgents } from '../../shared/auth/policies';
import type { Viewer } from '../../shared/auth/viewer';
import { badInput, conflict, forbidden, notFound } from '../../shared/errors';
import { isIdOf } from '../../shared/ids';
import type { ConnectionShape } from '../../shared/pagination/connection';
import { paginate } from '../../shared/pagination/paginate';
import { emptyToNull, normalizeLabels } from '../../shared/text';
import { Role } from '../../shared/roles';
import { findAccountByEmail, normalizeEmail, revokeAllSessions } from '../accounts/account.service';
import { User } from '../accounts/user.entity';
import { handBackTickets } from '../routing/routing.service';
import { ticketTransaction } from '../tickets/ticket.service';
import { changeAgentStatus } from './agent-availability.service';
import { AgentStatus } from './agent-status';
import { Agent } from './agent.entity';
import type { AgentsArgs, CreateAgentInput, UpdateAgentInput } from './agent.inputs';


/** Admins create staff accounts with their agent profile in one step. */
export async function createAgent(ctx: RequestContext, input: CreateAgentInput): Promise<Agent> {
  requireAdmin(ctx);
  const email = normalizeEmail(input.email);
  if (await findAccountByEmail(ctx.em, email)) throw conflict('An account with this email already exists.', 'email');
  const passwordHash = await hashPassword(input.password);
  try {
    return await ctx.em.transactional(async (em) => {
      const user = em.create(User, { name: input.name.trim(), email, passwordHash, role: input.role });
      return em.create(Agent, {
        user,
        department: emptyToNull(input.department),
        skills: normalizeLabels(input.skills),
        languages: normalizeLabels(input.languages),
        maxConcurrentTickets: input.maxConcurrentTickets ?? 5,
      });
    });
  } catch (error) {
    if (error instanceof UniqueConstraintViolationException) throw conflict('An account with this email already exists.', 'email');
    throw error;
  }
}

/**
 * Admins edit profiles, change roles and (de)activate. Deactivation takes the agent OFFLINE, hands
 * their open tickets back to routing and ends their sessions; more capacity is offered the queue.
 */
export async function updateAgent(ctx: RequestContext, input: UpdateAgentInput): Promise<Agent> {
  const viewer = requireAdmin(ctx);
  if (!isIdOf(input.id, 'Agent')) throw notFound('Agent');
  let deactivating = false;
  const agent = await ticketTransaction(ctx, async (work) => {
    const agent = await work.em.findOne(Agent, { id: input.id }, { populate: ['user'], lockMode: LockMode.PESSIMISTIC_WRITE });
    if (!agent) throw notFound('Agent');
    const user = agent.user.getEntity();
    const isSelf = user.id === viewer.userId;
    if (isSelf && input.active === false) throw badInput('active', 'You cannot deactivate your own account.');
    if (isSelf && input.role && input.role !== Role.ADMIN) throw badInput('role', 'You cannot remove your own admin role.');

    if (input.name != null) user.name = input.name.trim();
    if (input.role != null) user.role = input.role;
    if (input.department !== undefined) agent.department = emptyToNull(input.department);
    if (input.skills != null) agent.skills = normalizeLabels(input.skills);
    if (input.languages != null) agent.languages = normalizeLabels(input.languages);
    if (input.maxConcurrentTickets != null) {
      if (input.maxConcurrentTickets > agent.maxConcurrentTickets) work.changes.freedAgentIds.push(agent.id);
      agent.maxConcurrentTickets = input.maxConcurrentTickets;
    }
    deactivating = input.active === false && agent.active;
    if (input.active != null) {
      agent.active = input.active;
      user.active = input.active;
    }
    if (deactivating) {
      const cause = { bySystem: false, actorId: viewer.userId, why: 'was deactivated', autoAssign: ctx.app.config.autoAssign };
      // Already OFFLINE, they may still hold tickets assigned by hand: those go back too.
      if (!(await changeAgentStatus(work, agent, AgentStatus.OFFLINE, cause))) await handBackTickets(work, agent, cause);
    }
    return agent;
  });
  if (deactivating) await revokeAllSessions(ctx, agent.user.id, 'deactivated');
  return agent;
}

/** The viewer, if they may see the team directory; UNAUTHENTICATED or FORBIDDEN otherwise. */
function requireDirectory(ctx: RequestContext): Viewer {
  const viewer = requireViewer(ctx);
  if (!canSeeAgents(viewer)) throw forbidden('Only support staff may see agents.');
  return viewer;
}

/** `agents`: staff only; filtered by department, status and skill; oldest profile first, keyset-paginated. */
export async function listAgents(ctx: RequestContext, args: AgentsArgs): Promise<ConnectionShape<Agent>> {
  requireDirectory(ctx);
  const filter = args.filter ?? {};
  const and: FilterQuery<Agent>[] = [];
  if (filter.department != null) and.push({ department: emptyToNull(filter.department) });
  if (filter.status?.length) and.push({ status: { $in: filter.status } });
  const [skill] = normalizeLabels(filter.skill ? [filter.skill] : []);
  if (skill) and.push({ skills: { $contains: [skill] } });
  return paginate(ctx.em, Agent, and.length ? { $and: and } : {}, args, [{ createdAt: 'asc' }, { id: 'asc' }]);
}

/** `agent(id)`: staff only; NOT_FOUND for an id that names no agent. */
export async function getAgent(ctx: RequestContext, id: string): Promise<Agent> {
  requireDirectory(ctx);
  const agent = isIdOf(id, 'Agent') ? await ctx.em.findOne(Agent, { id }) : null;
  if (!agent) throw notFound('Agent');
  return agent;
}
