import DataLoader from 'dataloader';
import { byKeys, groupByKeys, type LoaderFactory } from '../../shared/loaders/registry';
import { TicketEvent } from './ticket-event.entity';
import { Ticket } from './ticket.entity';

/** Tickets by id, one query per batch. Authorization stays with the caller. */
export const ticketById: LoaderFactory<string, Ticket | null> = (ctx) =>
  new DataLoader(async (ids) => {
    const tickets = await ctx.em.find(Ticket, { id: { $in: [...ids] } });
    return byKeys(ids, tickets, (ticket) => ticket.id, (ticket) => ticket, null);
  });

/** Each ticket's history, oldest first. */
export const eventsByTicketId: LoaderFactory<string, TicketEvent[]> = (ctx) =>
  new DataLoader(async (ticketIds) => {
    const events = await ctx.em.find(TicketEvent, { ticket: { $in: [...ticketIds] } }, { orderBy: { at: 'asc', id: 'asc' } });
    return groupByKeys(ticketIds, events, (event) => event.ticket.id);
  });
