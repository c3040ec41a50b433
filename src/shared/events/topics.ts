/**
 * Pub/sub channels. One channel per ticket and per user (not one global topic filtered per
 * subscriber), plus one for staff-wide streams. Payloads carry ids (MESSAGE_ADDED also the new
 * row, see there); subscribers load and re-authorize what they receive.
 */
export const channels = {
  ticket: (ticketId: string) => `parley:ticket:${ticketId}`,
  staffTickets: () => 'parley:staff:tickets',
  user: (userId: string) => `parley:user:${userId}`,
  session: (sessionId: string) => `parley:session:${sessionId}`,
  /** Agents' availability, for staff (agentStatusChanged). */
  staffAgents: () => 'parley:staff:agents',
} as const;

export type TicketStreamEvent =
  | {
      type: 'MESSAGE_ADDED';
      ticketId: string;
      messageId: string;
      seq: number;
      internal: boolean;
      authorId: string | null;
      /**
       * The message as committed, with its author's columns: the row MessageFeed would read for it
       * (message.rows.ts), as JSON text so the date reviver leaves its body alone. Subscribers whose
       * last seq is the one before take it instead of reading PostgreSQL; a gap is still read.
       */
      row?: string;
    }
  | { type: 'MESSAGE_CHANGED'; ticketId: string; messageId: string }
  | { type: 'TICKET_EVENT'; ticketId: string; eventId: string; kind: string }
  | { type: 'TICKET_CREATED'; ticketId: string }
  | { type: 'MESSAGES_READ'; ticketId: string; userId: string; readAt: Date; lastReadSeq: number };

/** Typing and presence: ephemeral, on the ticket's own channel only (no staff-wide stream needs them). */
export type TicketActivityEvent =
  | { type: 'TYPING'; ticketId: string; userId: string; isTyping: boolean; at: Date }
  /** Who is viewing changed; subscribers read the current list from the presence store. */
  | { type: 'PRESENCE_CHANGED'; ticketId: string };

/** Everything that travels on `channels.ticket(id)`. */
export type TicketChannelEvent = Exclude<TicketStreamEvent, { type: 'TICKET_CREATED' }> | TicketActivityEvent;

/** Everything that travels on `channels.staffTickets()`. */
export type StaffTicketsEvent = TicketStreamEvent;

export type SessionStreamEvent = { type: 'SESSION_REVOKED'; sessionId: string };

/** Events for one user, on `channels.user(userId)`: their own notifications. */
export type UserStreamEvent = { type: 'NOTIFICATION_ADDED'; userId: string; notificationId: string };

/** Agents' availability, on `channels.staffAgents()`. */
export type StaffAgentsEvent = { type: 'AGENT_STATUS_CHANGED'; agentId: string; status: string; bySystem: boolean };

/** Everything a unit of work may queue for after its commit (see shared/events/transaction.ts). */
export type OutboxEvent = TicketStreamEvent | UserStreamEvent | StaffAgentsEvent;
