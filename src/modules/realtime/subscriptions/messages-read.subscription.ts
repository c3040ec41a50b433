import { Arg, ID, Resolver, Root, Subscription } from 'type-graphql';
import { liveSubscription } from '../live-stream';
import { ReadEvent } from '../realtime.payloads';
import { messagesReadSetup } from '../ticket-stream.service';

@Resolver()
export class MessagesReadSubscription {
  @Subscription(() => ReadEvent, {
    description: 'Someone marked the ticket read.',
    subscribe: liveSubscription(messagesReadSetup),
  })
  messagesRead(@Root() event: ReadEvent, @Arg('ticketId', () => ID) _ticketId: string): ReadEvent {
    return event;
  }
}
