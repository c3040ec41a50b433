import { Field, ID, Int, ObjectType } from 'type-graphql';
import { User } from '../accounts/user.entity';

@ObjectType({ description: 'Someone started or stopped typing on a ticket.' })
export class TypingEvent {
  @Field(() => ID)
  ticketId!: string;

  @Field(() => User)
  user!: User;

  @Field()
  isTyping!: boolean;

  @Field()
  at!: Date;
}

@ObjectType({ description: 'Someone read a ticket up to a message.' })
export class ReadEvent {
  @Field(() => ID)
  ticketId!: string;

  @Field(() => User)
  user!: User;

  @Field()
  readAt!: Date;

  @Field(() => Int, { description: 'The seq of the last message read.' })
  lastReadSeq!: number;
}

@ObjectType({ description: 'Who has a ticket open, after a change.' })
export class PresenceEvent {
  @Field(() => ID)
  ticketId!: string;

  @Field(() => [User], { description: 'Everyone who has the ticket open right now.' })
  viewers!: User[];
}
