import type { RequestContext } from '../../server/context';
import { requireStaff, requireViewer } from '../../shared/auth/guards';
import { canReadTicket, canSeeUser } from '../../shared/auth/policies';
import { channels, type StaffTicketsEvent, type TicketChannelEvent } from '../../shared/events/topics';
import { userById } from '../accounts/user.loaders';
import { TicketEvent } from '../tickets/ticket-event.entity';
import type { Ticket } from '../tickets/ticket.entity';
import { TicketEventKind } from '../tickets/ticket.enums';
import { findTicketForNode } from '../tickets/ticket.service';
import { eachEvent, type LiveSetup } from './live-stream';
import { assertStillReadable, assertStillStaff, readableTicket } from './message-stream.service';
import type { ReadEvent } from './realtime.payloads';

type TicketEventFilter = (kind: string) => boolean;

/** ticketStatusChanged: status changes only. */
export const statusChanges: TicketEventFilter = (kind) => kind === TicketEventKind.STATUS_CHANGED;
/** ticketUpdated: every change to an existing ticket (its creation is ticketCreated's). */
export const everyChange: TicketEventFilter = (kind) => kind !== TicketEventKind.CREATED;

/** Loads the history row an event names, if this viewer may read its ticket. */
async function visibleTicketEvent(ctx: RequestContext, eventId: string): Promise<TicketEvent | null> {
  const row = await ctx.em.findOne(TicketEvent, { id: eventId }, { populate: ['ticket'] });
  return row && canReadTicket(ctx.viewer, row.ticket.getEntity()) ? row : null;
}

/**
 * ticketStatusChanged / ticketUpdated: one ticket's history rows as they are written, or every
 * ticket's for staff (a customer leaving ticketId out gets FORBIDDEN).
 */
export async function ticketEventsSetup(
  ctx: RequestContext,
  args: { ticketId?: string | null },
  wanted: TicketEventFilter,
): Promise<LiveSetup<TicketChannelEvent | StaffTicketsEvent, TicketEvent>> {
  requireViewer(ctx);
  const accepts = (event: TicketChannelEvent | StaffTicketsEvent) => event.type === 'TICKET_EVENT' && wanted(event.kind);
  if (!args.ticketId) {
    requireStaff(ctx);
    return {
      channels: [channels.staffTickets()],
      handler: eachEvent(accepts, async (ctx, event) => {
        assertStillStaff(ctx);
        return event.type === 'TICKET_EVENT' ? visibleTicketEvent(ctx, event.eventId) : null;
      }),
    };
  }
  const ticket = await readableTicket(ctx, args.ticketId);
  return {
    channels: [channels.ticket(ticket.id)],
    handler: eachEvent(accepts, async (ctx, event) => {
      assertStillReadable(ctx, ticket);
      return event.type === 'TICKET_EVENT' ? visibleTicketEvent(ctx, event.eventId) : null;
    }),
  };
}

/** ticketCreated: staff only. */
export function ticketCreatedSetup(ctx: RequestContext): LiveSetup<StaffTicketsEvent, Ticket> {
  requireStaff(ctx);
  return {
    channels: [channels.staffTickets()],
    handler: eachEvent(
      (event) => event.type === 'TICKET_CREATED',
      async (ctx, event) => {
        assertStillStaff(ctx);
        return findTicketForNode(ctx, event.ticketId);
      },
    ),
  };
}

/** messagesRead: someone's read cursor moved on a ticket the viewer may read. */
export async function messagesReadSetup(ctx: RequestContext, args: { ticketId: string }): Promise<LiveSetup<TicketChannelEvent, ReadEvent>> {
  requireViewer(ctx);
  const ticket = await readableTicket(ctx, args.ticketId);
  return {
    channels: [channels.ticket(ticket.id)],
    handler: eachEvent(
      (event) => event.type === 'MESSAGES_READ',
      async (ctx, event) => {
        assertStillReadable(ctx, ticket);
        if (event.type !== 'MESSAGES_READ') return null;
        const user = await ctx.loaders.get(userById).load(event.userId);
        if (!user || !canSeeUser(ctx.viewer, user)) return null;
        return { ticketId: ticket.id, user, readAt: event.readAt, lastReadSeq: event.lastReadSeq };
      },
    ),
  };
}
