import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '../../server/context';
import { Ticket } from '../tickets/ticket.entity';
import { clock } from './clock';
import { SlaStatus } from './sla.enums';
import { targetsFor } from './sla.policy';
import { effectiveResolutionDueAt, slaStatus } from './sla.rules';

/** The SLA fields of Ticket: computed from the stored due dates and the clock on every read, never stored. */
@Resolver(() => Ticket)
export class TicketSlaFieldsResolver {
  @FieldResolver(() => Date, { nullable: true, description: "When the first agent reply is due under the ticket's SLA." })
  firstResponseDueAt(@Root() ticket: Ticket): Date | null {
    return ticket.firstResponseDueAt ?? null;
  }

  @FieldResolver(() => Date, {
    nullable: true,
    description: "When resolution is due under the ticket's SLA; the clock pauses while WAITING_ON_CUSTOMER.",
  })
  resolutionDueAt(@Root() ticket: Ticket): Date | null {
    return effectiveResolutionDueAt(ticket, clock.now());
  }

  @FieldResolver(() => SlaStatus)
  slaStatus(@Root() ticket: Ticket, @Ctx() ctx: RequestContext): SlaStatus {
    const targets = targetsFor(ctx.app.config.sla.policy, ticket.priority, ticket.department);
    return slaStatus(ticket, targets, clock.now());
  }
}
