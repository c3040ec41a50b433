import type { Logger } from 'pino';
import type { PubSub } from '../../infra/pubsub';
import { channels, type OutboxEvent, type SessionStreamEvent, type TicketActivityEvent, type TicketStreamEvent } from './topics';

/**
 * Publishes domain events. Services call it only after their transaction has committed, so a
 * subscriber never hears of work that rolled back.
 */
export class EventPublisher {
  constructor(
    private readonly pubsub: PubSub,
    private readonly logger: Logger,
  ) {}

  /** Ticket events go to the ticket's own channel and to the staff-wide stream. */
  async ticket(events: TicketStreamEvent | TicketStreamEvent[]): Promise<void> {
    const list = Array.isArray(events) ? events : [events];
    await this.publishAll(
      list.flatMap((event) => [
        ...(event.type === 'TICKET_CREATED' ? [] : [[channels.ticket(event.ticketId), event] as const]),
        [channels.staffTickets(), event] as const,
      ]),
    );
  }

  /** Typing and presence changes go to the ticket's channel only. */
  async ticketActivity(event: TicketActivityEvent): Promise<void> {
    await this.publishAll([[channels.ticket(event.ticketId), event]]);
  }

  /**
   * What a committed unit of work queued: ticket events as `ticket` sends them, notifications to
   * their recipient's channel, agent status changes to the staff-wide agents channel.
   */
  async outbox(events: OutboxEvent[]): Promise<void> {
    const ticketEvents: TicketStreamEvent[] = [];
    const others: (readonly [string, object])[] = [];
    for (const event of events) {
      if (event.type === 'NOTIFICATION_ADDED') others.push([channels.user(event.userId), event]);
      else if (event.type === 'AGENT_STATUS_CHANGED') others.push([channels.staffAgents(), event]);
      else ticketEvents.push(event);
    }
    await Promise.all([ticketEvents.length ? this.ticket(ticketEvents) : undefined, others.length ? this.publishAll(others) : undefined]);
  }

  async sessionRevoked(sessionId: string): Promise<void> {
    const event: SessionStreamEvent = { type: 'SESSION_REVOKED', sessionId };
    await this.publishAll([[channels.session(sessionId), event]]);
  }

  /**
   * The data is already committed when this runs, so a pub/sub outage must not fail the request:
   * it is logged, and clients catch up from the database (messageAdded's afterSeq).
   */
  private async publishAll(messages: (readonly [string, object])[]): Promise<void> {
    const results = await Promise.allSettled(messages.map(([channel, payload]) => this.pubsub.publish(channel, payload)));
    for (const result of results) {
      if (result.status === 'rejected') this.logger.warn({ err: result.reason }, 'publish failed; subscribers will catch up from the database');
    }
  }
}
