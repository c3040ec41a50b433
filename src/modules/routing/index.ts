import { onTicketChanges } from '../tickets/ticket.lifecycle';
import { routeChanges } from './routing.service';
import { TicketQueueFieldsResolver } from './ticket-queue-fields.resolver';

// Routing decides first: notifications (registered after it) then see the assignments it made.
onTicketChanges(routeChanges);

export const routingResolvers = [TicketQueueFieldsResolver];
