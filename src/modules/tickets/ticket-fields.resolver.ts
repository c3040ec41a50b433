import { Ctx, FieldResolver, Int, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '../../server/context';
import { isStaff } from '../../shared/auth/viewer';
import { notFound } from '../../shared/errors';
import { User } from '../accounts/user.entity';
import { userById } from '../accounts/user.loaders';
import { Agent } from '../agents/agent.entity';
import { agentById } from '../agents/agent.loaders';
import { TicketEvent } from './ticket-event.entity';
import { Ticket } from './ticket.entity';
import { eventsByTicketId, ticketById } from './ticket.loaders';

@Resolver(() => Ticket)
export class TicketFieldsResolver {
  @FieldResolver(() => User)
  async customer(@Root() ticket: Ticket, @Ctx() ctx: RequestContext): Promise<User> {
    const user = await ctx.loaders.get(userById).load(ticket.customer.id);
    if (!user) throw notFound('User');
    return user;
  }

  @FieldResolver(() => Agent, { nullable: true })
  assignee(@Root() ticket: Ticket, @Ctx() ctx: RequestContext): Promise<Agent | null> | null {
    return ticket.assignee ? ctx.loaders.get(agentById).load(ticket.assignee.id) : null;
  }

  @FieldResolver(() => Int, { description: 'Messages the viewer can see (internal notes count for staff only).' })
  messageCount(@Root() ticket: Ticket, @Ctx() ctx: RequestContext): number {
    return isStaff(ctx.viewer) ? ticket.messageCount : ticket.publicMessageCount;
  }

  @FieldResolver(() => Date, { nullable: true })
  lastMessageAt(@Root() ticket: Ticket, @Ctx() ctx: RequestContext): Date | null {
    return (isStaff(ctx.viewer) ? ticket.lastMessageAt : ticket.lastPublicMessageAt) ?? null;
  }

  @FieldResolver(() => [TicketEvent], { description: 'Status, priority, assignment and other changes, oldest first.' })
  history(@Root() ticket: Ticket, @Ctx() ctx: RequestContext): Promise<TicketEvent[]> {
    return ctx.loaders.get(eventsByTicketId).load(ticket.id);
  }
}

@Resolver(() => TicketEvent)
export class TicketEventFieldsResolver {
  @FieldResolver(() => Ticket)
  async ticket(@Root() event: TicketEvent, @Ctx() ctx: RequestContext): Promise<Ticket> {
    const ticket = await ctx.loaders.get(ticketById).load(event.ticket.id);
    if (!ticket) throw notFound('Ticket');
    return ticket;
  }

  @FieldResolver(() => User, { nullable: true, description: 'Null for changes made by the system.' })
  actor(@Root() event: TicketEvent, @Ctx() ctx: RequestContext): Promise<User | null> | null {
    return event.actor ? ctx.loaders.get(userById).load(event.actor.id) : null;
  }
}
