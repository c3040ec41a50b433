import type { EntityManager } from '@mikro-orm/postgresql';
import type { RequestContext } from '../../server/context';
import { requireViewer } from '../../shared/auth/guards';
import { canSeeAgentStatistics, canSeeSupportStatistics, canSeeTeamPerformance } from '../../shared/auth/policies';
import type { Viewer } from '../../shared/auth/viewer';
import { AppError, forbidden } from '../../shared/errors';
import { Agent } from '../agents/agent.entity';
import { userById } from '../accounts/user.loaders';
import { agentById, agentByUserId } from '../agents/agent.loaders';
import { ticketById } from '../tickets/ticket.loaders';
import { clock } from '../sla';
import { TicketEvent } from '../tickets/ticket-event.entity';
import { Ticket } from '../tickets/ticket.entity';
import { User } from '../accounts/user.entity';
import { readOnlyColumns, readOnlyFromRow } from '../../shared/read-only-entities';
import { TicketPriority, TicketStatus } from '../tickets/ticket.enums';
import {
  addMeasures,
  agentCounts,
  chartPerHour,
  emptyMeasures,
  measuresBetween,
  measuresByAgent,
  measuresByDayAndDepartment,
  overdueUnmarked,
  keyFilters,
  ticketsByCategory,
  type Measures,
} from './dashboard.queries';
import { AgentPerformance, CountByKey, DashboardStats, LiveChart, type ChartPoint } from './dashboard.payloads';
import { floorHour, HOUR_MS, localDate, resolveScope, startOfLocalDate, type StatsFilterInput, type StatsScope } from './stats-range';

const NONE = '(none)';
const OTHER = '(other)';
const TOP_CATEGORIES = 20;
const RECENT_ACTIVITY = 20;
export const DEFAULT_CHART_HOURS = 6;
export const MAX_CHART_HOURS = 168;

const STATUS_COLUMNS: [TicketStatus, keyof Measures][] = [
  [TicketStatus.OPEN, 'status_open'],
  [TicketStatus.IN_PROGRESS, 'status_in_progress'],
  [TicketStatus.WAITING_ON_CUSTOMER, 'status_waiting'],
  [TicketStatus.RESOLVED, 'status_resolved'],
  [TicketStatus.CLOSED, 'status_closed'],
];

const PRIORITY_COLUMNS: [TicketPriority, keyof Measures][] = [
  [TicketPriority.URGENT, 'priority_urgent'],
  [TicketPriority.HIGH, 'priority_high'],
  [TicketPriority.NORMAL, 'priority_normal'],
  [TicketPriority.LOW, 'priority_low'],
];

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;
const mean = (sum: number, count: number, digits: number) => (count > 0 ? round(sum / count, digits) : null);

// ---------------------------------------------------------------- authorization

/** A StatsFilter checked for this viewer and made concrete (defaults filled in, agent verified). */
export async function authorizeScope(ctx: RequestContext, filter: StatsFilterInput | null | undefined): Promise<StatsScope> {
  const viewer = requireViewer(ctx);
  if (!canSeeSupportStatistics(viewer)) throw forbidden('Only support staff may see statistics.');
  const scope = resolveScope(filter, clock.now(), ctx.app.config.dashboard.timeZone);
  if (scope.agentId) await requireAgentStatistics(ctx, viewer, scope.agentId);
  return scope;
}

/** The agent a filter names, if the viewer may see their figures; NOT_FOUND / FORBIDDEN otherwise. */
export async function requireAgentStatistics(ctx: RequestContext, viewer: Viewer, agentId: string): Promise<Agent> {
  const agent = await ctx.loaders.get(agentById).load(agentId);
  if (!agent) throw new AppError('NOT_FOUND', 'Agent not found.', { field: 'agentId' });
  if (!canSeeAgentStatistics(viewer, agent)) throw forbidden("Only supervisors and admins may see another agent's figures.");
  return agent;
}

// ---------------------------------------------------------------- dashboardStats

/** `dashboardStats`: staff only; see DashboardStats for what each figure covers. */
export async function getDashboardStats(ctx: RequestContext, filter: StatsFilterInput | null | undefined): Promise<DashboardStats> {
  const stats = await computeDashboardStats(ctx.em, await authorizeScope(ctx, filter));
  // recentActivity came with its tickets and actors: their field resolvers need not read them again.
  const tickets = ctx.loaders.get(ticketById);
  const users = ctx.loaders.get(userById);
  for (const event of stats.recentActivity) {
    const related = relatedOf.get(event);
    if (!related) continue;
    tickets.prime(related.ticket.id, related.ticket);
    if (related.actor) users.prime(related.actor.id, related.actor);
  }
  return stats;
}

/** The ticket and actor read with each recent activity line (kept off the value, which is the GraphQL object). */
const relatedOf = new WeakMap<TicketEvent, { ticket: Ticket; actor: User | null }>();

/**
 * The scope's latest history lines, newest first, with their tickets and actors, in one statement,
 * as read-only values. MikroORM made around 60 managed entities of them: measured, the server's
 * CPU per dashboardStats went from 19.0 to 10.4 ms without them.
 */
async function recentActivityOf(em: EntityManager, scope: StatsScope): Promise<TicketEvent[]> {
  const filters = keyFilters(scope, 't');
  const rows = await em.getConnection().execute<Record<string, unknown>[]>(
    `select ${readOnlyColumns(em, TicketEvent, 'e', '')}, ${readOnlyColumns(em, Ticket, 't', 't_')}, ${readOnlyColumns(em, User, 'u', 'u_')}
       from ticket_events e
       join tickets t on t.id = e.ticket_id
       left join users u on u.id = e.actor_id
      where e.at >= ? and e.at < ? ${filters.sql}
      order by e.at desc, e.id desc
      limit ?`,
    [scope.from, scope.to, ...filters.params, RECENT_ACTIVITY],
  );
  return rows.map((row) => {
    const event = readOnlyFromRow(em, TicketEvent, row, '')!;
    relatedOf.set(event, { ticket: readOnlyFromRow(em, Ticket, row, 't_')!, actor: readOnlyFromRow(em, User, row, 'u_') });
    return event;
  });
}

function byCount(rows: CountByKey[]): CountByKey[] {
  return rows.sort((a, b) => b.count - a.count || a.key.localeCompare(b.key));
}

/**
 * Every figure of the dashboard for an already authorized scope, in six statements run side by
 * side. Shared by the query and by dashboardUpdated (which computes once per filter and instance).
 */
export async function computeDashboardStats(em: EntityManager, scope: StatsScope): Promise<DashboardStats> {
  const { now } = scope;
  const todayDate = localDate(now, scope.timeZone);
  const today = startOfLocalDate(todayDate, scope.timeZone);
  // When the range runs from before midnight to now (the default), today's resolutions are among its figures.
  const todayInRange = scope.from <= today && scope.to.getTime() === now.getTime();
  const [rows, todays, categories, overdue, agents, recentActivity] = await Promise.all([
    measuresByDayAndDepartment(em, scope),
    todayInRange || today >= now ? Promise.resolve(null) : measuresBetween(em, scope, today, now),
    ticketsByCategory(em, scope),
    overdueUnmarked(em, scope, now),
    agentCounts(em, scope),
    recentActivityOf(em, scope),
  ]);

  const total = emptyMeasures();
  const perDepartment = new Map<string, number>();
  const perDay = new Map<string, { created: number; resolved: number }>();
  for (const row of rows) {
    addMeasures(total, row);
    perDepartment.set(row.department, (perDepartment.get(row.department) ?? 0) + Number(row.created));
    const day = perDay.get(row.day) ?? { created: 0, resolved: 0 };
    day.created += Number(row.created);
    day.resolved += Number(row.resolved);
    perDay.set(row.day, day);
  }

  const sortedCategories = byCount(categories.map((row) => ({ key: row.category || NONE, count: row.count })));
  const rest = sortedCategories.slice(TOP_CATEGORIES).reduce((sum, row) => sum + row.count, 0);
  const missed = total.sla_missed + overdue;
  return Object.assign(new DashboardStats(), {
    totalTickets: total.created,
    openTickets: total.status_open,
    inProgressTickets: total.status_in_progress,
    waitingTickets: total.status_waiting,
    resolvedTickets: total.status_resolved,
    closedTickets: total.status_closed,
    resolvedToday: todays ? todays.resolved : (perDay.get(todayDate)?.resolved ?? 0),
    avgFirstResponseSeconds: mean(total.first_response_seconds, total.first_response_count, 3),
    avgResolutionSeconds: mean(total.resolution_seconds, total.resolution_count, 3),
    customerSatisfaction: mean(total.rating_sum, total.rating_count, 2),
    slaMetPercent: mean(100 * total.sla_met, total.sla_met + missed, 2),
    onlineAgents: agents.online,
    totalAgents: agents.total,
    ticketsByStatus: STATUS_COLUMNS.map(([key, column]) => ({ key, count: total[column] })),
    ticketsByPriority: PRIORITY_COLUMNS.map(([key, column]) => ({ key, count: total[column] })),
    ticketsByCategory: [...sortedCategories.slice(0, TOP_CATEGORIES), ...(rest > 0 ? [{ key: OTHER, count: rest }] : [])],
    ticketsByDepartment: byCount([...perDepartment].filter(([, count]) => count !== 0).map(([key, count]) => ({ key: key || NONE, count }))),
    dailyCounts: scope.days.map((date) => ({ date, ...(perDay.get(date) ?? { created: 0, resolved: 0 }) })),
    recentActivity,
  });
}

// ---------------------------------------------------------------- liveChart

/** `liveChart`: the last `hours` hours (the current one so far included), zero-filled. Staff only. */
export async function getLiveChart(ctx: RequestContext, hours: number | null | undefined): Promise<LiveChart> {
  const viewer = requireViewer(ctx);
  if (!canSeeSupportStatistics(viewer)) throw forbidden('Only support staff may see statistics.');
  const count = hours ?? DEFAULT_CHART_HOURS;
  if (!Number.isInteger(count) || count < 1 || count > MAX_CHART_HOURS) {
    throw new AppError('BAD_USER_INPUT', `hours must be from 1 to ${MAX_CHART_HOURS}.`, { field: 'hours' });
  }
  const now = clock.now();
  const current = floorHour(now);
  const first = new Date(current.getTime() - (count - 1) * HOUR_MS);
  const rows = await chartPerHour(ctx.em, first, new Date(current.getTime() + HOUR_MS), now);
  const byHour = new Map(rows.map((row) => [row.hour, row]));
  const points: ChartPoint[] = [];
  for (let at = first.getTime(); at <= current.getTime(); at += HOUR_MS) {
    const row = byHour.get(at);
    points.push({ hour: new Date(at), customers: row?.customers ?? 0, support: row?.support ?? 0, resolved: row?.resolved ?? 0 });
  }
  const average = (pick: (point: ChartPoint) => number) => round(points.reduce((sum, point) => sum + pick(point), 0) / points.length, 2);
  return Object.assign(new LiveChart(), {
    points,
    avgCustomers: average((point) => point.customers),
    avgSupport: average((point) => point.support),
    avgResolved: average((point) => point.resolved),
  });
}

// ---------------------------------------------------------------- agentPerformance

/**
 * `agentPerformance`: one line per agent for the tickets the filter covers — every active agent
 * (of the department, when filtered), plus whoever else has tickets there. Supervisors and admins
 * see the team; an agent sees their own line only.
 */
export async function getAgentPerformance(ctx: RequestContext, filter: StatsFilterInput | null | undefined): Promise<AgentPerformance[]> {
  const viewer = requireViewer(ctx);
  let scope = await authorizeScope(ctx, filter);
  if (!scope.agentId && !canSeeTeamPerformance(viewer)) {
    const own = await ctx.loaders.get(agentByUserId).load(viewer.userId);
    if (!own) return [];
    scope = { ...scope, agentId: own.id };
  }
  const [rows, active] = await Promise.all([
    measuresByAgent(ctx.em, scope),
    ctx.em.find(Agent, {
      active: true,
      ...(scope.department ? { department: scope.department } : {}),
      ...(scope.agentId ? { id: scope.agentId } : {}),
    }),
  ]);
  const byAgent = new Map(rows.map((row) => [row.assignee_id, row]));
  const ids = [...new Set([...active.map((agent) => agent.id), ...byAgent.keys()])];
  const agents = await ctx.loaders.get(agentById).loadMany(ids);
  const lines: AgentPerformance[] = [];
  for (const agent of agents) {
    if (!agent || agent instanceof Error) continue;
    const measures = addMeasures(emptyMeasures(), byAgent.get(agent.id) ?? {});
    lines.push(
      Object.assign(new AgentPerformance(), {
        agent,
        assigned: measures.created,
        resolved: measures.resolution_count,
        avgFirstResponseSeconds: mean(measures.first_response_seconds, measures.first_response_count, 3),
        avgResolutionSeconds: mean(measures.resolution_seconds, measures.resolution_count, 3),
        customerSatisfaction: mean(measures.rating_sum, measures.rating_count, 2),
      }),
    );
  }
  return lines.sort((a, b) => b.resolved - a.resolved || b.assigned - a.assigned || a.agent.id.localeCompare(b.agent.id));
}
