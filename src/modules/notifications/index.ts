import { registerNodeFetcher } from '../../shared/node.resolver';
import { onTicketChanges } from '../tickets/ticket.lifecycle';
// Routing's after-change step must be registered first: notifications then see its assignments.
import '../routing';
import { NotificationFieldsResolver } from './notification-fields.resolver';
import { notifyChanges } from './notification.fanout';
import { NotificationResolver } from './notification.resolver';
import { findNotificationForNode } from './notification.service';
import { NotificationAddedSubscription } from './subscriptions/notification-added.subscription';

onTicketChanges(notifyChanges);
registerNodeFetcher('Notification', findNotificationForNode);

export const notificationResolvers = [NotificationResolver, NotificationFieldsResolver, NotificationAddedSubscription];
