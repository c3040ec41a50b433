import { Ctx, FieldResolver, Int, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '../../server/context';
import { Ticket } from '../tickets/ticket.entity';
import { TicketStatus } from '../tickets/ticket.enums';
import { queuePositionByTicketId } from './queue.loaders';

/** Routing's fields on Ticket; whoever may read the ticket may see its place in the queue. */
@Resolver(() => Ticket)
export class TicketQueueFieldsResolver {
  @FieldResolver(() => Int, {
    nullable: true,
    description:
      "Among tickets waiting for an agent, this one's place (1 = next); null once assigned. Most urgent first, then longest waiting; only tickets competing for the same agents (same department, or none) count.",
  })
  queuePosition(@Root() ticket: Ticket, @Ctx() ctx: RequestContext): Promise<number | null> | null {
    if (ticket.assignee || ticket.status !== TicketStatus.OPEN || !ticket.queuedAt) return null;
    return ctx.loaders.get(queuePositionByTicketId).load(ticket.id);
  }
}
