import { registerEnumType } from 'type-graphql';

export enum AgentStatus {
  AVAILABLE = 'AVAILABLE',
  BUSY = 'BUSY',
  AWAY = 'AWAY',
  OFFLINE = 'OFFLINE',
}
registerEnumType(AgentStatus, { name: 'AgentStatus' });
