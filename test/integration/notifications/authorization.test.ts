import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import {
  MarkAllNotificationsReadDocument,
  MarkNotificationReadDocument,
  NodeByIdDocument,
  NotificationsDocument,
  OnNotificationAddedDocument,
} from '../../__generated__/graphql';
import type { GraphQLTestClient } from '../../support/client';
import { createAgentActor, createCast, type Cast } from '../../support/factories';
import { startTestServer, type TestServer } from '../../support/server';
import { connectWs, disposeWsClients, waitFor } from '../../support/ws-client';
import { openTicket } from '../routing/helpers';

/** Every notification operation as every actor, against a notification that belongs to the agent. */
let server: TestServer;
let cast: Cast;
let agentsNotificationId: string;

beforeAll(async () => {
  server = await startTestServer({ redis: true, env: { PRESENCE_GRACE_SECONDS: '3600' } });
  cast = await createCast(server);
  // The cast's agent and supervisor work in billing: a new billing ticket notifies both.
  const ticketId = await openTicket(cast.customerA, { department: 'billing' });
  const { notifications } = await cast.agent.client.data(NotificationsDocument, {});
  agentsNotificationId = notifications.nodes.find((note) => note.ticket?.id === ticketId)!.id;
});
afterEach(async () => {
  await disposeWsClients();
  await waitFor(() => server.app.services.realtime.stats().streams === 0, 5000, 'streams to close');
});
afterAll(() => server.stop());

type Actor = 'anonymous' | 'customerA' | 'agent' | 'supervisor' | 'admin';
type Outcome = 'ok' | 'UNAUTHENTICATED' | 'NOT_FOUND' | 'null';
const ACTORS: Actor[] = ['anonymous', 'customerA', 'agent', 'supervisor', 'admin'];
const signedIn: Record<Actor, Outcome> = { anonymous: 'UNAUTHENTICATED', customerA: 'ok', agent: 'ok', supervisor: 'ok', admin: 'ok' };
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDocument = TypedDocumentNode<any, any>;

const operations: { name: string; expect: Record<Actor, Outcome>; run: (client: GraphQLTestClient) => Promise<{ data?: unknown; errors?: readonly { extensions?: Record<string, unknown> }[] }> }[] = [
  { name: 'notifications', expect: signedIn, run: (client) => client.request(NotificationsDocument, {}) },
  {
    name: 'markNotificationRead(the agent’s)',
    expect: { anonymous: 'UNAUTHENTICATED', customerA: 'NOT_FOUND', agent: 'ok', supervisor: 'NOT_FOUND', admin: 'NOT_FOUND' },
    run: (client) => client.request(MarkNotificationReadDocument, { id: agentsNotificationId }),
  },
  { name: 'markAllNotificationsRead', expect: signedIn, run: (client) => client.request(MarkAllNotificationsReadDocument) },
  {
    name: 'node(the agent’s notification)',
    expect: { anonymous: 'null', customerA: 'null', agent: 'ok', supervisor: 'null', admin: 'null' },
    run: (client) => client.request(NodeByIdDocument, { id: agentsNotificationId }),
  },
];

describe.each(operations)('$name', (operation) => {
  it.each(ACTORS)('as %s', async (actor) => {
    const client = actor === 'anonymous' ? server.anonymous : cast[actor].client;
    const result = await operation.run(client);
    const expected = operation.expect[actor];
    if (expected === 'ok') {
      expect(result.errors).toBeUndefined();
      expect(Object.values(result.data as object)[0]).not.toBeNull();
    } else if (expected === 'null') {
      expect(result.errors).toBeUndefined();
      expect(Object.values(result.data as object)[0]).toBeNull();
    } else {
      expect(result.errors?.[0]?.extensions?.code).toBe(expected);
    }
  });
});

describe('notificationAdded', () => {
  it.each(ACTORS)('as %s', async (actor) => {
    const token = actor === 'anonymous' ? undefined : cast[actor].token;
    const sub = connectWs(server.wsUrl, { token }).subscribe(OnNotificationAddedDocument as AnyDocument);
    const outcome = await waitFor(
      () => (sub.errors.length ? String(sub.errors[0].extensions?.code) : server.app.services.realtime.stats().streams === 1 ? 'ok' : undefined),
      5000,
      'an error or a live stream',
    );
    expect(outcome).toBe(signedIn[actor]);
  });
});

describe('Notification.ticket', () => {
  it('is null once the recipient may no longer read the ticket', async () => {
    const demoted = await createAgentActor(server, { department: 'billing' });
    const ticketId = await openTicket(cast.customerB, { department: 'billing' });
    const before = (await demoted.client.data(NotificationsDocument, {})).notifications.nodes;
    expect(before[0]).toMatchObject({ kind: 'NEW_TICKET', ticket: { id: ticketId } });
    await server.app.services.orm.em.fork().getConnection().execute(`update users set role = 'CUSTOMER' where id = ?`, [demoted.user.id]);
    const after = (await demoted.client.data(NotificationsDocument, {})).notifications.nodes;
    expect(after[0]).toMatchObject({ id: before[0].id, kind: 'NEW_TICKET', ticket: null });
  });
});
