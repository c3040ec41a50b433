import { Arg, ID, Resolver, Root, Subscription } from 'type-graphql';
import { presenceSetup } from '../activity.service';
import { liveSubscription } from '../live-stream';
import { PresenceEvent } from '../realtime.payloads';

@Resolver()
export class PresenceSubscription {
  @Subscription(() => PresenceEvent, {
    description: 'Subscribing makes the viewer one of the ticket’s viewers; each event lists everyone viewing it.',
    subscribe: liveSubscription(presenceSetup),
  })
  presence(@Root() event: PresenceEvent, @Arg('ticketId', () => ID) _ticketId: string): PresenceEvent {
    return event;
  }
}
