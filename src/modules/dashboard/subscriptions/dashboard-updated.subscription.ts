import { Arg, Resolver, Root, Subscription } from 'type-graphql';
import type { RequestContext } from '../../../server/context';
import { canSeeSupportStatistics } from '../../../shared/auth/policies';
import { forbidden } from '../../../shared/errors';
import { isCatchUp, liveSubscription, type LiveSetup } from '../../realtime/live-stream';
import type { ChannelStream } from '../../realtime/channel-stream';
import { joinDashboardFeed, type DashboardFeed, type DashboardPush } from '../dashboard.live';
import { StatsFilter } from '../dashboard.inputs';
import { DashboardStats } from '../dashboard.payloads';
import { authorizeScope, requireAgentStatistics } from '../dashboard.service';

/**
 * dashboardUpdated: the subscriber joins its instance's feed for the filter (one computation per
 * change for all of them) and gets the current figures first. Every push is re-authorized for this
 * subscriber: a viewer who is no longer staff, or may no longer see the agent filtered on, is cut off.
 */
export async function dashboardUpdatedSetup(ctx: RequestContext, args: { filter?: StatsFilter | null }): Promise<LiveSetup<DashboardPush, DashboardStats>> {
  const scope = await authorizeScope(ctx, args.filter);
  const filter = args.filter ?? null;
  let feed: DashboardFeed | undefined;
  let joined: ChannelStream<DashboardPush> | undefined;
  return {
    channels: [],
    handler: {
      start: async (ctx, stream) => {
        joined = stream;
        feed = await joinDashboardFeed(ctx.app, filter, stream);
      },
      handle: async (ctx, event) => {
        if (!canSeeSupportStatistics(ctx.viewer)) throw forbidden('Only support staff may see statistics.');
        if (scope.agentId) await requireAgentStatistics(ctx, ctx.viewer!, scope.agentId);
        return isCatchUp(event) ? [] : [event.stats];
      },
      close: () => {
        if (feed && joined) feed.remove(joined);
      },
    },
  };
}

@Resolver()
export class DashboardUpdatedSubscription {
  @Subscription(() => DashboardStats, {
    description: 'Staff only: fresh statistics whenever they change, at most every few seconds.',
    subscribe: liveSubscription(dashboardUpdatedSetup),
  })
  dashboardUpdated(@Root() stats: DashboardStats, @Arg('filter', () => StatsFilter, { nullable: true }) _filter?: StatsFilter | null): DashboardStats {
    return stats;
  }
}
