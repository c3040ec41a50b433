import { registerEnumType } from 'type-graphql';

export enum TicketStatus {
  OPEN = 'OPEN',
  IN_PROGRESS = 'IN_PROGRESS',
  WAITING_ON_CUSTOMER = 'WAITING_ON_CUSTOMER',
  RESOLVED = 'RESOLVED',
  CLOSED = 'CLOSED',
}
registerEnumType(TicketStatus, { name: 'TicketStatus' });

export enum TicketPriority {
  LOW = 'LOW',
  NORMAL = 'NORMAL',
  HIGH = 'HIGH',
  URGENT = 'URGENT',
}
registerEnumType(TicketPriority, { name: 'TicketPriority' });

/** Sort rank of each priority (higher is more urgent); mirrored by the `priority_rank` column. */
export const PRIORITY_RANK: Record<TicketPriority, number> = { LOW: 0, NORMAL: 1, HIGH: 2, URGENT: 3 };

export enum TicketChannel {
  WEB = 'WEB',
  MOBILE = 'MOBILE',
  API = 'API',
  EMAIL = 'EMAIL',
  MESSENGER = 'MESSENGER',
}
registerEnumType(TicketChannel, { name: 'TicketChannel' });

export enum TicketEventKind {
  CREATED = 'CREATED',
  STATUS_CHANGED = 'STATUS_CHANGED',
  PRIORITY_CHANGED = 'PRIORITY_CHANGED',
  ASSIGNED = 'ASSIGNED',
  UPDATED = 'UPDATED',
  RATED = 'RATED',
  SLA_BREACHED = 'SLA_BREACHED',
}
registerEnumType(TicketEventKind, { name: 'TicketEventKind' });

export enum TicketOrderField {
  CREATED_AT = 'CREATED_AT',
  UPDATED_AT = 'UPDATED_AT',
  PRIORITY = 'PRIORITY',
  LAST_MESSAGE_AT = 'LAST_MESSAGE_AT',
}
registerEnumType(TicketOrderField, { name: 'TicketOrderField' });

export enum SortDirection {
  ASC = 'ASC',
  DESC = 'DESC',
}
registerEnumType(SortDirection, { name: 'SortDirection' });

/** The statuses in which a ticket still needs work. */
export const ACTIVE_STATUSES = [TicketStatus.OPEN, TicketStatus.IN_PROGRESS, TicketStatus.WAITING_ON_CUSTOMER] as const;
