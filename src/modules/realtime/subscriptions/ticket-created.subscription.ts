import { Resolver, Root, Subscription } from 'type-graphql';
import { Ticket } from '../../tickets/ticket.entity';
import { liveSubscription } from '../live-stream';
import { ticketCreatedSetup } from '../ticket-stream.service';

@Resolver()
export class TicketCreatedSubscription {
  @Subscription(() => Ticket, {
    description: 'Staff only: tickets as they are created.',
    subscribe: liveSubscription(ticketCreatedSetup),
  })
  ticketCreated(@Root() ticket: Ticket): Ticket {
    return ticket;
  }
}
