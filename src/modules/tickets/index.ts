import { registerNodeFetcher } from '../../shared/node.resolver';
import { TicketEventFieldsResolver, TicketFieldsResolver } from './ticket-fields.resolver';
import { TicketResolver } from './ticket.resolver';
import { findTicketForNode } from './ticket.service';

registerNodeFetcher('Ticket', findTicketForNode);

export const ticketResolvers = [TicketResolver, TicketFieldsResolver, TicketEventFieldsResolver];
