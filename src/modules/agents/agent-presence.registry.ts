import type { AppServices } from '../../server/context';
import type { AgentPresence } from './agent-presence';

const instances = new WeakMap<AppServices, AgentPresence>();

export function registerAgentPresence(app: AppServices, presence: AgentPresence): void {
  instances.set(app, presence);
}

/** The presence of an app instance (setAgentStatus tells it; tests wait on it). */
export function agentPresenceOf(app: AppServices): AgentPresence | undefined {
  return instances.get(app);
}
