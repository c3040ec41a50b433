import { Arg, ID, Int, Resolver, Root, Subscription } from 'type-graphql';
import { Message } from '../../messages/message.entity';
import { liveSubscription } from '../live-stream';
import { messageAddedSetup, type MessageAddedArgs } from '../message-stream.service';

@Resolver()
export class MessageAddedSubscription {
  @Subscription(() => Message, {
    description: [
      'New messages on one ticket; staff may leave ticketId out to follow every ticket they can see.',
      'With ticketId and afterSeq it first replays the messages after that seq, then goes live,',
      'with no gap and no duplicate between the two.',
    ].join('\n'),
    subscribe: liveSubscription<MessageAddedArgs, Message>(messageAddedSetup),
  })
  messageAdded(
    @Root() message: Message,
    @Arg('ticketId', () => ID, { nullable: true }) _ticketId?: string | null,
    @Arg('afterSeq', () => Int, { nullable: true }) _afterSeq?: number | null,
  ): Message {
    return message;
  }
}
