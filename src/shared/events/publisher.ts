import type { PubSub } from '../../infra/pubsub';
import { channels, type SessionStreamEvent, type TicketStreamEvent } from './topics';

/**
 * Publishes domain events. Services call it only after their transaction has committed, so a
 * subscriber never hears of work that rolled back.
 */
export class EventPublisher {
  constructor(private readonly pubsub: PubSub) {}

  /** Ticket events go to the ticket's own channel and to the staff-wide stream. */
  async ticket(events: TicketStreamEvent | TicketStreamEvent[]): Promise<void> {
    const list = Array.isArray(events) ? events : [events];
    await Promise.all(
      list.flatMap((event) => [
        event.type === 'TICKET_CREATED' ? Promise.resolve() : this.pubsub.publish(channels.ticket(event.ticketId), event),
        this.pubsub.publish(channels.staffTickets(), event),
      ]),
    );
  }

  async sessionRevoked(sessionId: string): Promise<void> {
    const event: SessionStreamEvent = { type: 'SESSION_REVOKED', sessionId };
    await this.pubsub.publish(channels.session(sessionId), event);
  }
}
