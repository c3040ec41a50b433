import { Arg, ID, Resolver, Root, Subscription } from 'type-graphql';
import { TicketEvent } from '../../tickets/ticket-event.entity';
import { liveSubscription } from '../live-stream';
import { statusChanges, ticketEventsSetup } from '../ticket-stream.service';

@Resolver()
export class TicketStatusChangedSubscription {
  @Subscription(() => TicketEvent, {
    description: 'Status changes on one ticket; staff may leave ticketId out to follow every ticket.',
    subscribe: liveSubscription((ctx, args: { ticketId?: string | null }) => ticketEventsSetup(ctx, args, statusChanges)),
  })
  ticketStatusChanged(@Root() event: TicketEvent, @Arg('ticketId', () => ID, { nullable: true }) _ticketId?: string | null): TicketEvent {
    return event;
  }
}
