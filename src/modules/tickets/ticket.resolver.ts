import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Args, Ctx, ID, Info, Mutation, Query, Resolver } from 'type-graphql';
import type { RequestContext } from '../../server/context';
import type { ConnectionShape } from '../../shared/pagination/connection';
import { nodeFieldsSelected } from '../../shared/pagination/selection';
import { Ticket } from './ticket.entity';
import {
  AssignTicketInput,
  BulkUpdateTicketsInput,
  CreateTicketInput,
  RateTicketInput,
  TicketsArgs,
  UpdateTicketInput,
  UpdateTicketPriorityInput,
  UpdateTicketStatusInput,
} from './ticket.inputs';
import { BulkUpdateTicketsPayload, CreateTicketPayload, TicketConnection, TicketPayload } from './ticket.payloads';
import * as tickets from './ticket.service';

@Resolver()
export class TicketResolver {
  @Query(() => TicketConnection, { description: 'Staff see every ticket; customers their own. Newest first unless orderBy says otherwise.' })
  tickets(@Args(() => TicketsArgs) args: TicketsArgs, @Ctx() ctx: RequestContext, @Info() info: GraphQLResolveInfo): Promise<ConnectionShape<Ticket>> {
    const selected = nodeFieldsSelected(info);
    return tickets.listTickets(ctx, args, { customer: selected.has('customer'), assignee: selected.has('assignee') });
  }

  @Query(() => Ticket, { nullable: true, description: 'NOT_FOUND when it does not exist or is not yours to see.' })
  ticket(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext): Promise<Ticket> {
    return tickets.getTicket(ctx, id);
  }

  @Query(() => Ticket, { nullable: true, description: 'By its TKT-YYYYMMDD-NNNNN number.' })
  ticketByNumber(@Arg('number') number: string, @Ctx() ctx: RequestContext): Promise<Ticket> {
    return tickets.getTicketByNumber(ctx, number);
  }

  @Mutation(() => CreateTicketPayload)
  async createTicket(@Arg('input') input: CreateTicketInput, @Ctx() ctx: RequestContext): Promise<CreateTicketPayload> {
    return { ticket: await tickets.createTicket(ctx, input) };
  }

  @Mutation(() => TicketPayload)
  async updateTicket(@Arg('input') input: UpdateTicketInput, @Ctx() ctx: RequestContext): Promise<TicketPayload> {
    return { ticket: await tickets.updateTicket(ctx, input) };
  }

  @Mutation(() => TicketPayload)
  async updateTicketStatus(@Arg('input') input: UpdateTicketStatusInput, @Ctx() ctx: RequestContext): Promise<TicketPayload> {
    return { ticket: await tickets.updateTicketStatus(ctx, input) };
  }

  @Mutation(() => TicketPayload, { description: 'Staff only.' })
  async updateTicketPriority(@Arg('input') input: UpdateTicketPriorityInput, @Ctx() ctx: RequestContext): Promise<TicketPayload> {
    return { ticket: await tickets.updateTicketPriority(ctx, input) };
  }

  @Mutation(() => TicketPayload, { description: 'Staff only.' })
  async assignTicket(@Arg('input') input: AssignTicketInput, @Ctx() ctx: RequestContext): Promise<TicketPayload> {
    return { ticket: await tickets.assignTicket(ctx, input) };
  }

  @Mutation(() => BulkUpdateTicketsPayload, { description: 'Staff only. All or nothing, in one transaction.' })
  bulkUpdateTickets(@Arg('input') input: BulkUpdateTicketsInput, @Ctx() ctx: RequestContext): Promise<BulkUpdateTicketsPayload> {
    return tickets.bulkUpdateTickets(ctx, input);
  }

  @Mutation(() => TicketPayload, { description: 'The ticket’s customer, once it is RESOLVED or CLOSED.' })
  async rateTicket(@Arg('input') input: RateTicketInput, @Ctx() ctx: RequestContext): Promise<TicketPayload> {
    return { ticket: await tickets.rateTicket(ctx, input) };
  }
}
