import { Arg, ID, Resolver, Root, Subscription } from 'type-graphql';
import { TicketEvent } from '../../tickets/ticket-event.entity';
import { liveSubscription } from '../live-stream';
import { everyChange, ticketEventsSetup } from '../ticket-stream.service';

@Resolver()
export class TicketUpdatedSubscription {
  @Subscription(() => TicketEvent, {
    description: 'Every change to a ticket (status, priority, assignment, fields, rating).',
    subscribe: liveSubscription((ctx, args: { ticketId?: string | null }) => ticketEventsSetup(ctx, args, everyChange)),
  })
  ticketUpdated(@Root() event: TicketEvent, @Arg('ticketId', () => ID, { nullable: true }) _ticketId?: string | null): TicketEvent {
    return event;
  }
}
