import { Field, ObjectType } from 'type-graphql';
import { User } from '../accounts/user.entity';
import { ConnectionType } from '../../shared/pagination/connection';
import { Message } from './message.entity';

@ObjectType()
export class MessageConnection extends ConnectionType('Message', Message) {}

@ObjectType()
export class SendMessagePayload {
  @Field(() => Message)
  message!: Message;
}

@ObjectType()
export class MessagePayload {
  @Field(() => Message)
  message!: Message;
}

/** Someone has read up to (at least) this message. */
@ObjectType()
export class ReadReceipt {
  /** Resolved by a field resolver through the user loader. */
  userId!: string;

  @Field(() => User)
  user?: User;

  @Field(() => Date)
  readAt!: Date;
}
