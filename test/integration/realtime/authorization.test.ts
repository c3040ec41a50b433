import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import {
  OnMessageAddedDocument,
  OnMessagesReadDocument,
  OnPresenceDocument,
  OnTicketCreatedDocument,
  OnTicketStatusChangedDocument,
  OnTicketUpdatedDocument,
  OnTypingDocument,
} from '../../__generated__/graphql';
import { createCast, type Cast } from '../../support/factories';
import { startTestServer, type TestServer } from '../../support/server';
import { connectWs, disposeWsClients, waitFor } from '../../support/ws-client';
import { openTicket } from './helpers';

/**
 * The authorization matrix, extended to subscriptions: every subscription × every actor. Allowed
 * means the server holds a live stream for it; refused means an error with the expected code and
 * no stream (so no event can ever reach it).
 */
let server: TestServer;
let cast: Cast;
let ticketId: string;

beforeAll(async () => {
  server = await startTestServer({ redis: true });
  cast = await createCast(server);
  ticketId = await openTicket(cast.customerA);
});
afterEach(async () => {
  await disposeWsClients();
  await waitFor(() => server.app.services.realtime.stats().streams === 0);
});
afterAll(() => server.stop());

type Actor = keyof Cast | 'anonymous';
type Expectation = 'allowed' | 'NOT_FOUND' | 'FORBIDDEN' | 'UNAUTHENTICATED';
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDocument = TypedDocumentNode<any, any>;

async function attempt(actor: Actor, document: AnyDocument, variables: Record<string, unknown>): Promise<Expectation> {
  const token = actor === 'anonymous' ? undefined : cast[actor].token;
  const sub = connectWs(server.wsUrl, { token }).subscribe(document, variables);
  const outcome = await waitFor<Expectation | undefined>(
    () => (sub.errors.length ? (String(sub.errors[0].extensions?.code) as Expectation) : server.app.services.realtime.stats().streams === 1 ? 'allowed' : undefined),
    5000,
    'an error or a live stream',
  );
  if (outcome === 'allowed') expect(sub.errors).toEqual([]);
  else expect(server.app.services.realtime.stats().streams).toBe(0);
  return outcome;
}

const ofTicket: [string, AnyDocument][] = [
  ['messageAdded', OnMessageAddedDocument],
  ['typing', OnTypingDocument],
  ['ticketStatusChanged', OnTicketStatusChangedDocument],
  ['ticketUpdated', OnTicketUpdatedDocument],
  ['messagesRead', OnMessagesReadDocument],
  ['presence', OnPresenceDocument],
];

const onOneTicket: [Actor, Expectation][] = [
  ['customerA', 'allowed'],
  ['customerB', 'NOT_FOUND'],
  ['agent', 'allowed'],
  ['supervisor', 'allowed'],
  ['admin', 'allowed'],
  ['anonymous', 'UNAUTHENTICATED'],
];

describe.each(ofTicket)('%s(ticketId) on customer A’s ticket', (_name, document) => {
  it.each(onOneTicket)('as %s: %s', async (actor, expected) => {
    expect(await attempt(actor, document, { ticketId })).toBe(expected);
  });
});

const staffWide: [string, AnyDocument][] = [
  ['messageAdded', OnMessageAddedDocument],
  ['ticketStatusChanged', OnTicketStatusChangedDocument],
  ['ticketUpdated', OnTicketUpdatedDocument],
  ['ticketCreated', OnTicketCreatedDocument],
];

const onEveryTicket: [Actor, Expectation][] = [
  ['customerA', 'FORBIDDEN'],
  ['customerB', 'FORBIDDEN'],
  ['agent', 'allowed'],
  ['supervisor', 'allowed'],
  ['admin', 'allowed'],
  ['anonymous', 'UNAUTHENTICATED'],
];

describe.each(staffWide)('%s on every ticket', (_name, document) => {
  it.each(onEveryTicket)('as %s: %s', async (actor, expected) => {
    expect(await attempt(actor, document, {})).toBe(expected);
  });
});
