import { isStaff } from '../../shared/auth/viewer';
import { registerNodeFetcher } from '../../shared/node.resolver';
import { onSignedInSockets } from '../realtime/realtime';
import { AgentFieldsResolver } from './agent-fields.resolver';
import { createAgentPresence } from './agent-presence';
import { agentById } from './agent.loaders';
import { AgentResolver } from './agent.resolver';
import { AgentStatusChangedSubscription } from './subscriptions/agent-status-changed.subscription';

// Agent profiles (department, capacity) are staff information.
registerNodeFetcher('Agent', (ctx, id) => (isStaff(ctx.viewer) ? ctx.loaders.get(agentById).load(id) : Promise.resolve(null)));

// Presence hears of every signed-in websocket of each app instance.
onSignedInSockets(createAgentPresence);

export const agentResolvers = [AgentResolver, AgentFieldsResolver, AgentStatusChangedSubscription];
