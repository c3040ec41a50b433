import { Arg, ID, Resolver, Root, Subscription } from 'type-graphql';
import { typingSetup } from '../activity.service';
import { liveSubscription } from '../live-stream';
import { TypingEvent } from '../realtime.payloads';

@Resolver()
export class TypingSubscription {
  @Subscription(() => TypingEvent, {
    description: 'Who starts and stops typing on a ticket; a stop follows 5 s without a refresh, or the message itself.',
    subscribe: liveSubscription(typingSetup),
  })
  typing(@Root() event: TypingEvent, @Arg('ticketId', () => ID) _ticketId: string): TypingEvent {
    return event;
  }
}
