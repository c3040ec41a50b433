import { Arg, Args, Ctx, Query, Resolver } from 'type-graphql';
import type { RequestContext } from '../../server/context';
import { LiveChartArgs, StatsFilter } from './dashboard.inputs';
import { AgentPerformance, DashboardStats, LiveChart } from './dashboard.payloads';
import * as dashboard from './dashboard.service';

@Resolver()
export class DashboardResolver {
  @Query(() => DashboardStats, { description: 'Staff only. Filtering by another agent: supervisors and admins.' })
  dashboardStats(@Arg('filter', () => StatsFilter, { nullable: true }) filter: StatsFilter | null, @Ctx() ctx: RequestContext): Promise<DashboardStats> {
    return dashboard.getDashboardStats(ctx, filter);
  }

  @Query(() => LiveChart, { description: 'Staff only: hour by hour, the last `hours` hours.' })
  liveChart(@Args(() => LiveChartArgs) args: LiveChartArgs, @Ctx() ctx: RequestContext): Promise<LiveChart> {
    return dashboard.getLiveChart(ctx, args.hours);
  }

  @Query(() => [AgentPerformance], { description: 'Supervisors and admins: every agent; an agent: their own line.' })
  agentPerformance(@Arg('filter', () => StatsFilter, { nullable: true }) filter: StatsFilter | null, @Ctx() ctx: RequestContext): Promise<AgentPerformance[]> {
    return dashboard.getAgentPerformance(ctx, filter);
  }
}
