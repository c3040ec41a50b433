import { isStaff } from '../../shared/auth/viewer';
import { registerNodeFetcher } from '../../shared/node.resolver';
import { AgentFieldsResolver } from './agent-fields.resolver';
import { agentById } from './agent.loaders';
import { AgentResolver } from './agent.resolver';

// Agent profiles (department, capacity) are staff information.
registerNodeFetcher('Agent', (ctx, id) => (isStaff(ctx.viewer) ? ctx.loaders.get(agentById).load(id) : Promise.resolve(null)));

export const agentResolvers = [AgentResolver, AgentFieldsResolver];
