import type { RequestContext } from '../../server/context';
import { requireStaff, requireViewer } from '../../shared/auth/guards';
import { canReadTicket, canSeeInternalNotes } from '../../shared/auth/policies';
import { isStaff } from '../../shared/auth/viewer';
import { badInput, forbidden, notFound } from '../../shared/errors';
import { isIdOf } from '../../shared/ids';
import { channels, type StaffTicketsEvent, type TicketChannelEvent } from '../../shared/events/topics';
import type { Message } from '../messages/message.entity';
import { findMessageForNode } from '../messages/message.service';
import { CATCH_UP } from './channel-stream';
import type { FeedPage, FeedRef } from './message-feed';
import { eachEvent, isCatchUp, type LiveHandler, type LiveSetup } from './live-stream';

export interface MessageAddedArgs {
  ticketId?: string | null;
  afterSeq?: number | null;
}

/** Who may follow a ticket: checked at subscribe time and again for every event. */
export interface TicketAccess {
  id: string;
  customer: { id: string };
  /** The newest seq when the ticket was read. */
  lastSeq: number;
}

/** The ticket, if the viewer may read it; NOT_FOUND otherwise (existence is not revealed). */
export async function readableTicket(ctx: RequestContext, ticketId: string): Promise<TicketAccess> {
  const viewer = requireViewer(ctx);
  if (!isIdOf(ticketId, 'Ticket')) throw notFound('Ticket');
  // Batched with the other subscriptions starting in this turn of the event loop (a reconnect storm).
  const ticket = await ctx.app.realtime.tickets.load(ticketId);
  if (!ticket || !canReadTicket(viewer, ticket)) throw notFound('Ticket');
  return ticket;
}

/** Re-authorizes one event: the viewer was just reloaded, so a demotion or deactivation shows here. */
export function assertStillReadable(ctx: RequestContext, ticket: TicketAccess): void {
  if (!canReadTicket(ctx.viewer, ticket)) throw notFound('Ticket');
}

/** Staff-wide streams end when their viewer stops being staff. */
export function assertStillStaff(ctx: RequestContext): void {
  if (!isStaff(ctx.viewer)) throw forbidden('Only support staff may follow every ticket.');
}

/**
 * One ticket's messages, in seq order, each exactly once. `cursor` is the last seq handled. The
 * database is the source of truth: a live event says "there is something after the cursor", and
 * the messages are read from the cursor with the viewer's visibility rules (those of
 * Ticket.messages). So a replay, a gap (an event lost while Redis was away, or two commits
 * published out of order) and a reconnect catch-up are the same read, and a message that arrives
 * live during a replay is skipped when the replay has already delivered it. Only the event of the
 * very next message is taken as it is: it carries its committed row, and nothing can be missing.
 */
function ticketMessagesHandler(ticketId: string, afterSeq: number | null): LiveHandler<TicketChannelEvent, Message> {
  let ticket: TicketAccess;
  let cursor = 0;
  // The shared reads this subscription asks for, public and with internal notes (see MessageFeed).
  let feeds: Record<'public' | 'all', FeedRef>;
  return {
    accepts: (event) => event.type === 'MESSAGE_ADDED',
    async start(ctx, stream) {
      // The channel is live already, so this one read both authorizes and gives the cursor: a
      // message committed after it arrives as an event (NOT_FOUND here ends the subscription).
      ticket = await readableTicket(ctx, ticketId);
      const { messages } = ctx.app.realtime;
      feeds = { public: messages.ref(ticket.id, false), all: messages.ref(ticket.id, true) };
      if (afterSeq === null) {
        cursor = ticket.lastSeq;
      } else {
        cursor = afterSeq;
        stream.pushFront(CATCH_UP);
      }
    },
    handle(ctx, event, stream) {
      assertStillReadable(ctx, ticket);
      const includeInternal = canSeeInternalNotes(ctx.viewer);
      let through: number | null = null;
      let row: string | undefined;
      if (!isCatchUp(event) && event.type === 'MESSAGE_ADDED') {
        if (event.seq <= cursor) return [];
        if (event.seq === cursor + 1 && event.internal && !includeInternal) {
          cursor = event.seq;
          return [];
        }
        through = event.seq;
        // The next message, which this viewer may see: its event carries it (see MessageFeed.after).
        if (event.seq === cursor + 1) row = event.row;
      }
      // The read is shared with this instance's other subscribers of the ticket (see MessageFeed);
      // what each may see is still decided here and by the field resolvers, per viewer.
      const page = ctx.app.realtime.messages.after(includeInternal ? feeds.all : feeds.public, cursor, through, row);
      const take = (read: FeedPage): Message[] => {
        // Oldest first: usually all of them are new, and the shared array is handed on as it is (only read).
        const messages = read.messages.length && read.messages[0].seq > cursor ? read.messages : read.messages.filter((message) => message.seq > cursor);
        if (messages.length) cursor = messages[messages.length - 1].seq;
        // Large replays go a batch at a time, so memory stays flat however far behind the client is.
        if (read.hasMore) stream.pushFront(CATCH_UP);
        return messages;
      };
      // A page another subscriber read is usually there already (see MessageFeed).
      return page instanceof Promise ? page.then(take) : take(page);
    },
  };
}

/** Staff following every ticket: each MESSAGE_ADDED is loaded and re-authorized on its own. */
const everyTicketsMessages = eachEvent<StaffTicketsEvent, Message>(
  (event) => event.type === 'MESSAGE_ADDED',
  async (ctx, event) => {
    assertStillStaff(ctx);
    return event.type === 'MESSAGE_ADDED' ? findMessageForNode(ctx, event.messageId) : null;
  },
);

/**
 * messageAdded: with a ticketId, that ticket's new messages (after `afterSeq` first, from the
 * database); without, every ticket's, for staff only.
 */
export async function messageAddedSetup(
  ctx: RequestContext,
  args: MessageAddedArgs,
): Promise<LiveSetup<TicketChannelEvent, Message> | LiveSetup<StaffTicketsEvent, Message>> {
  requireViewer(ctx);
  const afterSeq = args.afterSeq ?? null;
  if (afterSeq !== null && (!Number.isInteger(afterSeq) || afterSeq < 0)) throw badInput('afterSeq', 'afterSeq must be 0 or more.');
  if (!args.ticketId) {
    requireStaff(ctx);
    if (afterSeq !== null) throw badInput('afterSeq', 'afterSeq needs a ticketId.');
    return { channels: [channels.staffTickets()], handler: everyTicketsMessages };
  }
  // Ids are checked before they name a channel; whether the viewer may read the ticket is
  // checked once the channel is live (see the handler's start).
  if (!isIdOf(args.ticketId, 'Ticket')) throw notFound('Ticket');
  return { channels: [channels.ticket(args.ticketId)], handler: ticketMessagesHandler(args.ticketId, afterSeq) };
}
