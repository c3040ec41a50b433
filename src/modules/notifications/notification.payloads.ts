import { Field, Int, ObjectType } from 'type-graphql';
import { ConnectionType, type ConnectionShape } from '../../shared/pagination/connection';
import { Notification } from './notification.entity';

@ObjectType()
export class NotificationConnection extends ConnectionType('Notification', Notification) {
  @Field(() => Int, { description: 'The viewer’s unread notifications, whatever the page or unreadOnly.' })
  unreadCount!: number;
}

export interface NotificationConnectionShape extends ConnectionShape<Notification> {
  unreadCount: number | PromiseLike<number>;
}
