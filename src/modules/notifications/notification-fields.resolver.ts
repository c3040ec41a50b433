import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '../../server/context';
import { Ticket } from '../tickets/ticket.entity';
import { Notification } from './notification.entity';
import { notificationTicket } from './notification.service';

@Resolver(() => Notification)
export class NotificationFieldsResolver {
  @FieldResolver(() => Ticket, { nullable: true, description: 'The ticket it is about, while you may still read it.' })
  ticket(@Root() notification: Notification, @Ctx() ctx: RequestContext): Promise<Ticket | null> {
    return notificationTicket(ctx, notification);
  }
}
