import { registerEnumType } from 'type-graphql';

export enum NotificationKind {
  NEW_TICKET = 'NEW_TICKET',
  TICKET_ASSIGNED = 'TICKET_ASSIGNED',
  NEW_MESSAGE = 'NEW_MESSAGE',
  STATUS_CHANGED = 'STATUS_CHANGED',
  PRIORITY_ESCALATED = 'PRIORITY_ESCALATED',
  SLA_BREACHED = 'SLA_BREACHED',
}
registerEnumType(NotificationKind, { name: 'NotificationKind' });
