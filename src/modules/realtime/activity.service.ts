import type { RequestContext } from '../../server/context';
import { requireViewer } from '../../shared/auth/guards';
import { canSeeUser } from '../../shared/auth/policies';
import { channels, type TicketChannelEvent } from '../../shared/events/topics';
import type { User } from '../accounts/user.entity';
import { userById } from '../accounts/user.loaders';
import { CATCH_UP } from './channel-stream';
import { eachEvent, type LiveSetup } from './live-stream';
import { assertStillReadable, readableTicket } from './message-stream.service';
import type { PresenceEntry } from './presence.store';
import type { PresenceEvent, TypingEvent } from './realtime.payloads';

/**
 * setTyping: announce that the viewer is (still) typing on a ticket they may read, or stopped.
 * Clients refresh `true` every few seconds while typing; the server turns silence into `false`.
 */
export async function setTyping(ctx: RequestContext, ticketId: string, isTyping: boolean): Promise<boolean> {
  const viewer = requireViewer(ctx);
  const ticket = await readableTicket(ctx, ticketId);
  if (isTyping) await ctx.app.realtime.typing.start(ticket.id, viewer.userId);
  else await ctx.app.realtime.typing.stop(ticket.id, viewer.userId);
  return true;
}

/** typing: who starts and stops typing on one ticket. */
export async function typingSetup(ctx: RequestContext, args: { ticketId: string }): Promise<LiveSetup<TicketChannelEvent, TypingEvent>> {
  requireViewer(ctx);
  const ticket = await readableTicket(ctx, args.ticketId);
  return {
    channels: [channels.ticket(ticket.id)],
    handler: eachEvent(
      (event) => event.type === 'TYPING',
      async (ctx, event) => {
        assertStillReadable(ctx, ticket);
        if (event.type !== 'TYPING') return null;
        const user = await ctx.loaders.get(userById).load(event.userId);
        if (!user || !canSeeUser(ctx.viewer, user)) return null;
        return { ticketId: ticket.id, user, isTyping: event.isTyping, at: event.at };
      },
    ),
  };
}

/**
 * presence: subscribing makes the viewer one of the ticket's viewers until the subscription ends
 * (unsubscribe, socket closed, missed ping). The first event lists who is there; each later one
 * the whole list again after a change, wherever it happened.
 */
export async function presenceSetup(ctx: RequestContext, args: { ticketId: string }): Promise<LiveSetup<TicketChannelEvent, PresenceEvent>> {
  const viewer = requireViewer(ctx);
  const ticket = await readableTicket(ctx, args.ticketId);
  const { presence } = ctx.app.realtime;
  let entry: PresenceEntry | undefined;
  let ended = false;
  let lastSent: string | undefined;
  return {
    channels: [channels.ticket(ticket.id)],
    handler: {
      accepts: (event) => event.type === 'PRESENCE_CHANGED',
      async start(_ctx, stream) {
        const joined = await presence.join(ticket.id, viewer.userId);
        // The subscription may have ended while joining: leave at once rather than linger.
        if (ended) presence.leave(joined);
        else entry = joined;
        stream.pushFront(CATCH_UP);
      },
      async handle(ctx) {
        assertStillReadable(ctx, ticket);
        const ids = await presence.viewers(ticket.id);
        const users = (await ctx.loaders.get(userById).loadMany(ids)).filter(
          (user): user is User => !!user && !(user instanceof Error) && user.active && canSeeUser(ctx.viewer, user),
        );
        const key = users.map((user) => user.id).join(',');
        // Several changes may read the same list; say it once.
        if (key === lastSent) return [];
        lastSent = key;
        return [{ ticketId: ticket.id, viewers: users }];
      },
      close() {
        ended = true;
        if (entry) presence.leave(entry);
      },
    },
  };
}
