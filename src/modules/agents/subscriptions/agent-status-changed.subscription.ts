import { Resolver, Root, Subscription } from 'type-graphql';
import type { RequestContext } from '../../../server/context';
import { requireViewer } from '../../../shared/auth/guards';
import { canSeeAgents } from '../../../shared/auth/policies';
import { forbidden } from '../../../shared/errors';
import { channels, type StaffAgentsEvent } from '../../../shared/events/topics';
import { eachEvent, liveSubscription, type LiveSetup } from '../../realtime/live-stream';
import { Agent } from '../agent.entity';
import { agentById } from '../agent.loaders';

/** agentStatusChanged: staff only, checked on subscribing and again for every event. */
export function agentStatusChangedSetup(ctx: RequestContext): LiveSetup<StaffAgentsEvent, Agent> {
  if (!canSeeAgents(requireViewer(ctx))) throw forbidden('Only support staff may follow agents.');
  return {
    channels: [channels.staffAgents()],
    handler: eachEvent(
      (event) => event.type === 'AGENT_STATUS_CHANGED',
      async (ctx, event) => {
        if (!canSeeAgents(ctx.viewer)) throw forbidden('Only support staff may follow agents.');
        return ctx.loaders.get(agentById).load(event.agentId);
      },
    ),
  };
}

@Resolver()
export class AgentStatusChangedSubscription {
  @Subscription(() => Agent, {
    description: 'Staff only: an agent’s availability changed (by themself or by presence).',
    subscribe: liveSubscription(agentStatusChangedSetup),
  })
  agentStatusChanged(@Root() agent: Agent): Agent {
    return agent;
  }
}
