import { CreateTicketDocument, SendMessageDocument } from '../../__generated__/graphql';
import type { Actor } from '../../support/factories';
import type { TestServer } from '../../support/server';

/** Opens a ticket through the public API, as `actor` (a customer). */
export async function openTicket(actor: Actor, subject = 'Printer on fire'): Promise<string> {
  const { createTicket } = await actor.client.data(CreateTicketDocument, { input: { subject, description: `${subject}, details` } });
  return createTicket.ticket.id;
}

/** Sends a message through the public API and returns its id and seq. */
export async function send(actor: Actor, ticketId: string, body: string, internal = false): Promise<{ id: string; seq: number }> {
  const { sendMessage } = await actor.client.data(SendMessageDocument, { input: { ticketId, body, internal } });
  return { id: sendMessage.message.id, seq: sendMessage.message.seq };
}

/** The same actor seen by another instance (same token, that instance's URL). */
export function on(server: TestServer, actor: Actor): Actor {
  return { ...actor, client: server.client(actor.token) };
}

/** Resolves once `server` has `count` live streams: events published from now on reach them. */
export function streamsLive(server: TestServer, count: number): () => boolean {
  return () => server.app.services.realtime.stats().streams >= count;
}
