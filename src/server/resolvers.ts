import type { NonEmptyArray } from 'type-graphql';
import { accountResolvers } from '../modules/accounts';
import { agentResolvers } from '../modules/agents';
import { channelResolvers } from '../modules/channels';
import { knowledgeBaseResolvers } from '../modules/articles';
import { messageResolvers } from '../modules/messages';
import { notificationResolvers } from '../modules/notifications';
import { realtimeResolvers } from '../modules/realtime';
import { routingResolvers } from '../modules/routing';
import { ticketResolvers } from '../modules/tickets';
import { dashboardResolvers } from '../modules/dashboard';
import { slaResolvers } from '../modules/sla';
import { nodeResolvers } from '../shared/node.resolver';

/** Every module's resolvers; each module's index.ts says which it has. */
export const resolvers = [
  ...nodeResolvers,
  ...accountResolvers,
  ...agentResolvers,
  ...ticketResolvers,
  ...messageResolvers,
  ...realtimeResolvers,
  ...knowledgeBaseResolvers,
  ...routingResolvers,
  ...notificationResolvers,
  ...channelResolvers,
  ...slaResolvers,
  ...dashboardResolvers,
] as unknown as NonEmptyArray<Function>;
