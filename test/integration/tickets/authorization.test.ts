import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import {
  AssignTicketDocument,
  BulkUpdateTicketsDocument,
  CreateTicketDocument,
  DeleteMessageDocument,
  EditMessageDocument,
  MarkTicketReadDocument,
  MessageNodeDocument,
  NodeByIdDocument,
  RateTicketDocument,
  SendMessageDocument,
  TicketByNumberDocument,
  TicketDocument,
  TicketMessagesDocument,
  TicketsDocument,
  UpdateTicketDocument,
  UpdateTicketPriorityDocument,
  UpdateTicketStatusDocument,
} from '../../__generated__/graphql';
import type { GraphQLTestClient } from '../../support/client';
import { createCast, type Cast } from '../../support/factories';
import { startTestServer, type TestServer } from '../../support/server';

/**
 * Every ticket and message operation against a ticket owned by customer A, as each actor.
 * 'ok' means data came back; anything else is the expected error code.
 */
type Actor = 'anonymous' | 'customerA' | 'customerB' | 'agent' | 'supervisor' | 'admin';
type Outcome = 'ok' | 'UNAUTHENTICATED' | 'FORBIDDEN' | 'NOT_FOUND' | 'BAD_USER_INPUT' | 'null';
const ACTORS: Actor[] = ['anonymous', 'customerA', 'customerB', 'agent', 'supervisor', 'admin'];

interface Fixture {
  ticketId: string;
  number: string;
  publicMessageId: string;
  customerMessageId: string;
  noteId: string;
}

interface Case {
  name: string;
  readOnly?: boolean;
  expect: Record<Actor, Outcome>;
  run(client: GraphQLTestClient, fixture: Fixture, cast: Cast): Promise<{ data?: unknown; errors?: readonly { extensions?: Record<string, unknown> }[] }>;
}

const readable = { anonymous: 'UNAUTHENTICATED', customerA: 'ok', customerB: 'NOT_FOUND', agent: 'ok', supervisor: 'ok', admin: 'ok' } as const;
const staffOnly = { anonymous: 'UNAUTHENTICATED', customerA: 'FORBIDDEN', customerB: 'FORBIDDEN', agent: 'ok', supervisor: 'ok', admin: 'ok' } as const;

const run = <D, V>(doc: TypedDocumentNode<D, V>, variables: (f: Fixture, cast: Cast) => V): Case['run'] =>
  (client, fixture, cast) => client.request(doc, ...([variables(fixture, cast)] as never));

const CASES: Case[] = [
  { name: 'ticket(id)', readOnly: true, expect: readable, run: run(TicketDocument, (f) => ({ id: f.ticketId })) },
  { name: 'ticketByNumber', readOnly: true, expect: readable, run: run(TicketByNumberDocument, (f) => ({ number: f.number })) },
  { name: 'ticket.messages', readOnly: true, expect: readable, run: run(TicketMessagesDocument, (f) => ({ id: f.ticketId })) },
  {
    name: 'node(ticket)',
    readOnly: true,
    expect: { anonymous: 'null', customerA: 'ok', customerB: 'null', agent: 'ok', supervisor: 'ok', admin: 'ok' },
    run: run(NodeByIdDocument, (f) => ({ id: f.ticketId })),
  },
  {
    name: 'node(internal note)',
    readOnly: true,
    expect: { anonymous: 'null', customerA: 'null', customerB: 'null', agent: 'ok', supervisor: 'ok', admin: 'ok' },
    run: run(MessageNodeDocument, (f) => ({ id: f.noteId })),
  },
  {
    name: 'tickets',
    readOnly: true,
    expect: { anonymous: 'UNAUTHENTICATED', customerA: 'ok', customerB: 'ok', agent: 'ok', supervisor: 'ok', admin: 'ok' },
    run: run(TicketsDocument, () => ({})),
  },
  { name: 'sendMessage', expect: readable, run: run(SendMessageDocument, (f) => ({ input: { ticketId: f.ticketId, body: 'hello' } })) },
  {
    name: 'sendMessage(internal)',
    expect: { anonymous: 'UNAUTHENTICATED', customerA: 'FORBIDDEN', customerB: 'FORBIDDEN', agent: 'ok', supervisor: 'ok', admin: 'ok' },
    run: run(SendMessageDocument, (f) => ({ input: { ticketId: f.ticketId, body: 'note', internal: true } })),
  },
  { name: 'markTicketRead', expect: readable, run: run(MarkTicketReadDocument, (f) => ({ ticketId: f.ticketId })) },
  {
    name: 'updateTicket(subject)',
    expect: readable,
    run: run(UpdateTicketDocument, (f) => ({ input: { ticketId: f.ticketId, subject: 'New subject' } })),
  },
  {
    name: 'updateTicket(tags)',
    expect: { anonymous: 'UNAUTHENTICATED', customerA: 'FORBIDDEN', customerB: 'NOT_FOUND', agent: 'ok', supervisor: 'ok', admin: 'ok' },
    run: run(UpdateTicketDocument, (f) => ({ input: { ticketId: f.ticketId, tags: ['x'] } })),
  },
  {
    name: 'updateTicketStatus(CLOSED)',
    expect: readable,
    run: run(UpdateTicketStatusDocument, (f) => ({ input: { ticketId: f.ticketId, status: 'CLOSED' as const } })),
  },
  {
    name: 'updateTicketStatus(WAITING_ON_CUSTOMER)',
    expect: { anonymous: 'UNAUTHENTICATED', customerA: 'FORBIDDEN', customerB: 'NOT_FOUND', agent: 'ok', supervisor: 'ok', admin: 'ok' },
    run: run(UpdateTicketStatusDocument, (f) => ({ input: { ticketId: f.ticketId, status: 'WAITING_ON_CUSTOMER' as const } })),
  },
  {
    name: 'updateTicketPriority',
    expect: staffOnly,
    run: run(UpdateTicketPriorityDocument, (f) => ({ input: { ticketId: f.ticketId, priority: 'URGENT' as const } })),
  },
  {
    name: 'assignTicket',
    expect: staffOnly,
    run: run(AssignTicketDocument, (f, cast) => ({ input: { ticketId: f.ticketId, agentId: cast.agent.agent!.id } })),
  },
  {
    name: 'bulkUpdateTickets',
    expect: staffOnly,
    run: run(BulkUpdateTicketsDocument, (f) => ({ input: { ticketIds: [f.ticketId], priority: 'HIGH' as const } })),
  },
  {
    // The ticket is not resolved yet, so the owner is told why; nobody else may rate at all.
    name: 'rateTicket',
    expect: { anonymous: 'UNAUTHENTICATED', customerA: 'BAD_USER_INPUT', customerB: 'NOT_FOUND', agent: 'FORBIDDEN', supervisor: 'FORBIDDEN', admin: 'FORBIDDEN' },
    run: run(RateTicketDocument, (f) => ({ input: { ticketId: f.ticketId, rating: 5 } })),
  },
  {
    name: 'editMessage(customer A’s message)',
    expect: { anonymous: 'UNAUTHENTICATED', customerA: 'ok', customerB: 'NOT_FOUND', agent: 'FORBIDDEN', supervisor: 'FORBIDDEN', admin: 'FORBIDDEN' },
    run: run(EditMessageDocument, (f) => ({ input: { id: f.customerMessageId, body: 'edited' } })),
  },
  {
    name: 'editMessage(internal note)',
    expect: { anonymous: 'UNAUTHENTICATED', customerA: 'NOT_FOUND', customerB: 'NOT_FOUND', agent: 'ok', supervisor: 'FORBIDDEN', admin: 'FORBIDDEN' },
    run: run(EditMessageDocument, (f) => ({ input: { id: f.noteId, body: 'edited' } })),
  },
  {
    name: 'deleteMessage(agent’s reply)',
    expect: { anonymous: 'UNAUTHENTICATED', customerA: 'FORBIDDEN', customerB: 'NOT_FOUND', agent: 'ok', supervisor: 'FORBIDDEN', admin: 'ok' },
    run: run(DeleteMessageDocument, (f) => ({ id: f.publicMessageId })),
  },
];

let server: TestServer;
let cast: Cast;
/** Read-only cases share one ticket; a case that may change state gets a fresh one per actor. */
let shared: Promise<Fixture> | undefined;

beforeAll(async () => {
  server = await startTestServer();
  cast = await createCast(server);
});
afterAll(() => server.stop());

async function fixture(): Promise<Fixture> {
  const { createTicket } = await cast.customerA.client.data(CreateTicketDocument, { input: { subject: 'Matrix', description: 'Whose is this?' } });
  const ticketId = createTicket.ticket.id;
  const send = (client: GraphQLTestClient, body: string, internal = false) =>
    client.data(SendMessageDocument, { input: { ticketId, body, internal } }).then((r) => r.sendMessage.message.id);
  return {
    ticketId,
    number: createTicket.ticket.number,
    customerMessageId: await send(cast.customerA.client, 'From the customer'),
    publicMessageId: await send(cast.agent.client, 'From the agent'),
    noteId: await send(cast.agent.client, 'Internal', true),
  };
}

describe.each(CASES)('$name', (testCase) => {
  it.each(ACTORS)('as %s', async (actor) => {
    const f = testCase.readOnly ? await (shared ??= fixture()) : await fixture();
    const client = actor === 'anonymous' ? server.anonymous : cast[actor].client;
    const result = await testCase.run(client, f, cast);
    const expected = testCase.expect[actor];
    const code = result.errors?.[0]?.extensions?.code;
    if (expected === 'ok') {
      expect(result.errors).toBeUndefined();
      expect(Object.values(result.data as object)[0]).not.toBeNull();
    } else if (expected === 'null') {
      expect(result.errors).toBeUndefined();
      expect(Object.values(result.data as object)[0]).toBeNull();
    } else {
      expect(code).toBe(expected);
    }
  });
});

describe('what customers never see', () => {
  it('hides internal notes and other customers’ tickets from every list', async () => {
    const f = await fixture();
    const { ticket } = await cast.customerA.client.data(TicketMessagesDocument, { id: f.ticketId });
    expect(ticket!.messages.nodes.some((m) => m.internal)).toBe(false);
    const { tickets } = await cast.customerB.client.data(TicketsDocument, {});
    expect(tickets.nodes.some((t) => t.id === f.ticketId)).toBe(false);
  });
});
