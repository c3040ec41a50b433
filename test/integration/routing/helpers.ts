import { randomBytes } from 'node:crypto';
import { CreateTicketDocument, RoutedTicketDocument, type CreateTicketInput, type RoutedTicketQuery } from '../../__generated__/graphql';
import { AgentStatus } from '../../../src/modules/agents/agent-status';
import { createAgentActor, type Actor, type ActorOptions } from '../../support/factories';
import type { TestServer } from '../../support/server';

/** A department name of its own, so tests sharing a database do not route to each other's agents. */
export const uniqueDepartment = (name = 'dept') => `${name}-${randomBytes(3).toString('hex')}`;

/** An AVAILABLE agent (or another status) with a routing profile. */
export function availableAgent(server: TestServer, options: ActorOptions = {}): Promise<Actor> {
  return createAgentActor(server, { status: AgentStatus.AVAILABLE, ...options });
}

/** Opens a ticket as `customer` and returns its id. */
export async function openTicket(customer: Actor, input: Partial<CreateTicketInput> = {}): Promise<string> {
  const { createTicket } = await customer.client.data(CreateTicketDocument, {
    input: { subject: 'Refund for order 1234', description: 'I was charged twice.', ...input },
  });
  return createTicket.ticket.id;
}

export type RoutedTicket = NonNullable<RoutedTicketQuery['ticket']>;

/** The ticket as staff see it: assignee, queue position, history with notes, last messages. */
export async function routed(staff: Actor, ticketId: string): Promise<RoutedTicket> {
  const { ticket } = await staff.client.data(RoutedTicketDocument, { id: ticketId });
  return ticket!;
}

export const assignedNotes = (ticket: RoutedTicket) => ticket.history.filter((event) => event.kind === 'ASSIGNED').map((event) => event.note);
