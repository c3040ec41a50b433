import { Arg, Args, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import type { RequestContext } from '../../server/context';
import { Notification } from './notification.entity';
import { NotificationsArgs } from './notification.inputs';
import { NotificationConnection, type NotificationConnectionShape } from './notification.payloads';
import * as notifications from './notification.service';

@Resolver()
export class NotificationResolver {
  @Query(() => NotificationConnection, { description: 'The viewer’s own inbox, newest first.' })
  notifications(@Args(() => NotificationsArgs) args: NotificationsArgs, @Ctx() ctx: RequestContext): Promise<NotificationConnectionShape> {
    return notifications.listNotifications(ctx, args);
  }

  @Mutation(() => Notification, { description: 'One of your own notifications; NOT_FOUND for anyone else’s.' })
  markNotificationRead(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext): Promise<Notification> {
    return notifications.markNotificationRead(ctx, id);
  }

  @Mutation(() => Int, { description: 'Marks all your notifications read; returns how many were unread.' })
  markAllNotificationsRead(@Ctx() ctx: RequestContext): Promise<number> {
    return notifications.markAllNotificationsRead(ctx);
  }
}
