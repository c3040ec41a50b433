import { Resolver, Root, Subscription } from 'type-graphql';
import type { RequestContext } from '../../../server/context';
import { requireViewer } from '../../../shared/auth/guards';
import { canHaveInbox } from '../../../shared/auth/policies';
import { unauthenticated } from '../../../shared/errors';
import { channels, type UserStreamEvent } from '../../../shared/events/topics';
import { eachEvent, liveSubscription, type LiveSetup } from '../../realtime/live-stream';
import { Notification } from '../notification.entity';
import { ownNotificationForEvent } from '../notification.service';

/** notificationAdded: the viewer's own channel; each event is loaded and checked to be theirs. */
export function notificationAddedSetup(ctx: RequestContext): LiveSetup<UserStreamEvent, Notification> {
  const viewer = requireViewer(ctx);
  if (!canHaveInbox(viewer)) throw unauthenticated();
  return {
    channels: [channels.user(viewer.userId)],
    handler: eachEvent(
      (event) => event.type === 'NOTIFICATION_ADDED',
      (ctx, event) => ownNotificationForEvent(ctx, event.notificationId),
    ),
  };
}

@Resolver()
export class NotificationAddedSubscription {
  @Subscription(() => Notification, {
    description: 'The viewer’s own notifications, as they are stored.',
    subscribe: liveSubscription(notificationAddedSetup),
  })
  notificationAdded(@Root() notification: Notification): Notification {
    return notification;
  }
}
