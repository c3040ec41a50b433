import { FieldResolver, Resolver, Root } from 'type-graphql';
import { Message } from '../messages/message.entity';
import { DeliveryState } from './delivery-state';

@Resolver(() => Message)
export class MessageDeliveryFieldsResolver {
  @FieldResolver(() => DeliveryState, {
    nullable: true,
    description: 'For replies on tickets from an outside channel (Messenger): whether it reached the customer there. Null for messages that stay in Parley.',
  })
  deliveryState(@Root() message: Message): DeliveryState | null {
    return (message.deliveryState as DeliveryState | null | undefined) ?? null;
  }
}
