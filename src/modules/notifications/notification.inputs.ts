import { ArgsType, Field } from 'type-graphql';
import { ForwardConnectionArgs } from '../../shared/pagination/connection';

@ArgsType()
export class NotificationsArgs extends ForwardConnectionArgs {
  @Field(() => Boolean, { nullable: true, description: 'Only notifications not read yet.' })
  unreadOnly?: boolean | null;
}
