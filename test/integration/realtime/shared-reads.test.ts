import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { parse } from 'graphql';
import { newId } from '../../../src/shared/ids';
import { createCast, type Cast } from '../../support/factories';
import { startTestServer, type TestServer } from '../../support/server';
import { connectWs, disposeWsClients, waitFor } from '../../support/ws-client';
import { openTicket, send, streamsLive } from './helpers';

/** A chat client's selection: nothing per subscriber beyond the message and its author. */
const OnChatMessage = parse(
  'subscription OnChatMessage($ticketId: ID!) { messageAdded(ticketId: $ticketId) { id seq body author { id name } } }',
) as TypedDocumentNode<{ messageAdded: { id: string; seq: number; body: string; author: { id: string; name: string } | null } }, { ticketId: string }>;

let server: TestServer;
let cast: Cast;

beforeAll(async () => {
  server = await startTestServer({ redis: true });
  cast = await createCast(server);
});
afterEach(async () => {
  await disposeWsClients();
  await waitFor(() => server.app.services.realtime.stats().streams === 0, 5000, 'every stream to close');
});
afterAll(() => server.stop());

/** The same, plus a field that differs per viewer (an e-mail only staff and its owner see). */
const OnChatMessageWithEmail = parse(
  'subscription OnChatMessageWithEmail($ticketId: ID!) { messageAdded(ticketId: $ticketId) { id author { id email } } }',
) as TypedDocumentNode<{ messageAdded: { id: string; author: { id: string; email: string | null } | null } }, { ticketId: string }>;

/**
 * A message written and announced the way an instance from before MESSAGE_ADDED carried its row
 * would: the ticket's counters and the insert in one statement, then the event with ids only.
 */
async function writeWithoutRow(ticketId: string, authorId: string, body: string): Promise<{ id: string; seq: number }> {
  const id = newId('Message');
  const [{ seq }] = await server.app.services.orm.em.getConnection().execute<{ seq: number }[]>(
    `with t as (update tickets set last_seq = last_seq + 1, message_count = message_count + 1, public_message_count = public_message_count + 1 where id = ? returning last_seq)
     insert into messages (id, ticket_id, seq, author_id, author_kind, kind, body, internal, created_at)
     select ?, ?, t.last_seq, ?, 'AGENT', 'TEXT', ?, false, now() from t returning seq`,
    [ticketId, id, ticketId, authorId, body],
  );
  await server.app.services.events.ticket({ type: 'MESSAGE_ADDED', ticketId, messageId: id, seq, internal: false, authorId });
  return { id, seq };
}

const feedReads = (statements: string[]) => statements.filter((sql) => sql.includes('with ordinality as k(ticket_id, after_seq, include_internal, i)'));
const viewerChecks = (statements: string[]) => statements.filter((sql) => /from sessions s join users u on u.id = s.user_id\s+where s.id = any/.test(sql));

describe('messageAdded on an instance with many subscribers of one ticket', () => {
  it('delivers the next message from its event, without reading it back, and re-checks their viewers in one statement', async () => {
    const ticketId = await openTicket(cast.customerA);
    const watchers = [cast.customerA, cast.agent, cast.agent, cast.supervisor, cast.admin];
    const subs = watchers.map((actor) => connectWs(server.wsUrl, { token: actor.token }).subscribe(OnChatMessage, { ticketId }));
    await waitFor(streamsLive(server, watchers.length));

    const { statements, result: sent } = await server.countQueries(async () => {
      const message = await send(cast.agent, ticketId, 'One read for everyone');
      await Promise.all(subs.map((sub) => sub.waitForMessage((data) => data.messageAdded.id === message.id)));
      return message;
    });

    for (const sub of subs) expect(sub.data.map((data) => data.messageAdded)).toEqual([{ id: sent.id, seq: sent.seq, body: 'One read for everyone', author: { id: cast.agent.user.id, name: cast.agent.user.name } }]);
    expect(feedReads(statements)).toHaveLength(0);
    expect(viewerChecks(statements)).toHaveLength(1);
  });

  it('reads a message whose event does not carry it (an older instance published it) once for all of them', async () => {
    const ticketId = await openTicket(cast.customerA);
    const watchers = [cast.customerA, cast.agent, cast.supervisor];
    const subs = watchers.map((actor) => connectWs(server.wsUrl, { token: actor.token }).subscribe(OnChatMessage, { ticketId }));
    await waitFor(streamsLive(server, watchers.length));

    const { statements, result: written } = await server.countQueries(async () => {
      const message = await writeWithoutRow(ticketId, cast.agent.user.id, 'Published without its row');
      await Promise.all(subs.map((sub) => sub.waitForMessage((data) => data.messageAdded.id === message.id)));
      return message;
    });

    for (const sub of subs) expect(sub.data.map((data) => data.messageAdded)).toEqual([{ id: written.id, seq: written.seq, body: 'Published without its row', author: { id: cast.agent.user.id, name: cast.agent.user.name } }]);
    // One read per visibility at most (the customer's public one and staff's), shared by all.
    expect(feedReads(statements).length).toBeGreaterThanOrEqual(1);
    expect(feedReads(statements).length).toBeLessThanOrEqual(2);
  });

  it('hands on a body that looks like a date exactly as it was sent, through Redis', async () => {
    const ticketId = await openTicket(cast.customerA);
    const sub = connectWs(server.wsUrl, { token: cast.agent.token }).subscribe(OnChatMessage, { ticketId });
    await waitFor(streamsLive(server, 1));
    const sent = await send(cast.customerA, ticketId, '2026-11-22T10:00:00.000Z');
    await sub.waitForMessage((data) => data.messageAdded.id === sent.id);
    expect(sub.data.map((data) => data.messageAdded.body)).toEqual(['2026-11-22T10:00:00.000Z']);
  });

  it('still keeps internal notes from the customer while staff share their own read', async () => {
    const ticketId = await openTicket(cast.customerA);
    const customer = connectWs(server.wsUrl, { token: cast.customerA.token }).subscribe(OnChatMessage, { ticketId });
    const staff = [cast.agent, cast.supervisor].map((actor) => connectWs(server.wsUrl, { token: actor.token }).subscribe(OnChatMessage, { ticketId }));
    await waitFor(streamsLive(server, 3));

    const note = await send(cast.agent, ticketId, 'Refund approved, tell them tomorrow', true);
    const reply = await send(cast.agent, ticketId, 'We are on it');
    await customer.waitForMessage((data) => data.messageAdded.id === reply.id);
    await Promise.all(staff.map((sub) => sub.waitForCount(2)));

    expect(customer.data.map((data) => data.messageAdded.id)).toEqual([reply.id]);
    for (const sub of staff) expect(sub.data.map((data) => data.messageAdded.id)).toEqual([note.id, reply.id]);
  });

  it('never hands a subscriber a shared page older than the message it was told about', async () => {
    const ticketId = await openTicket(cast.customerA);
    const subs = [cast.customerA, cast.agent, cast.supervisor].map((actor) => connectWs(server.wsUrl, { token: actor.token }).subscribe(OnChatMessage, { ticketId }));
    await waitFor(streamsLive(server, 3));

    // Back to back, so later events arrive while earlier reads are still shared.
    const sent = await Promise.all(Array.from({ length: 8 }, (_, i) => send(i % 2 ? cast.customerA : cast.agent, ticketId, `burst ${i}`)));
    const seqs = sent.map((message) => message.seq).sort((a, b) => a - b);
    for (const sub of subs) {
      await sub.waitForCount(sent.length);
      expect(sub.data.map((data) => data.messageAdded.seq)).toEqual(seqs);
    }
  });
});

describe('messageAdded results shared between subscribers with the same view', () => {
  const counts = () => ({ ...server.app.services.realtime.results.counts });

  it('executes the selection once per view: staff share one result, the customer has their own', async () => {
    const ticketId = await openTicket(cast.customerA);
    const watchers = [cast.customerA, cast.agent, cast.agent, cast.agent];
    const subs = watchers.map((actor) => connectWs(server.wsUrl, { token: actor.token }).subscribe(OnChatMessage, { ticketId }));
    await waitFor(streamsLive(server, watchers.length));

    const before = counts();
    const sent = await send(cast.customerA, ticketId, 'Hello?');
    await Promise.all(subs.map((sub) => sub.waitForCount(1)));

    const expected = { id: sent.id, seq: sent.seq, body: 'Hello?', author: { id: cast.customerA.user.id, name: cast.customerA.user.name } };
    for (const sub of subs) expect(sub.data.map((data) => data.messageAdded)).toEqual([expected]);
    expect({ executed: counts().executed - before.executed, shared: counts().shared - before.shared }).toEqual({ executed: 2, shared: 2 });
  });

  it('never gives the customer the internal note staff share', async () => {
    const ticketId = await openTicket(cast.customerA);
    const customer = connectWs(server.wsUrl, { token: cast.customerA.token }).subscribe(OnChatMessage, { ticketId });
    const staff = [cast.agent, cast.agent].map((actor) => connectWs(server.wsUrl, { token: actor.token }).subscribe(OnChatMessage, { ticketId }));
    await waitFor(streamsLive(server, 3));

    const before = counts();
    const note = await send(cast.agent, ticketId, 'Refund approved, tell them tomorrow', true);
    await Promise.all(staff.map((sub) => sub.waitForCount(1)));
    const reply = await send(cast.agent, ticketId, 'We are on it');
    await customer.waitForMessage((data) => data.messageAdded.id === reply.id);
    await Promise.all(staff.map((sub) => sub.waitForCount(2)));

    expect(customer.data.map((data) => data.messageAdded.id)).toEqual([reply.id]);
    for (const sub of staff) expect(sub.data.map((data) => data.messageAdded.body)).toEqual(['Refund approved, tell them tomorrow', 'We are on it']);
    expect(counts().shared - before.shared).toBe(2);
  });

  it('executes a selection with a per-viewer field for each subscriber', async () => {
    const ticketId = await openTicket(cast.customerA);
    const watchers = [cast.customerA, cast.agent, cast.supervisor];
    const subs = watchers.map((actor) => connectWs(server.wsUrl, { token: actor.token }).subscribe(OnChatMessageWithEmail, { ticketId }));
    await waitFor(streamsLive(server, watchers.length));

    const before = counts();
    await send(cast.agent, ticketId, 'Which printer?');
    await Promise.all(subs.map((sub) => sub.waitForCount(1)));

    const [customer, agent, supervisor] = subs.map((sub) => sub.data[0].messageAdded.author?.email);
    expect(customer).toBeNull();
    expect(agent).toBe(cast.agent.user.email);
    expect(supervisor).toBe(cast.agent.user.email);
    expect({ executed: counts().executed - before.executed, shared: counts().shared - before.shared }).toEqual({ executed: 3, shared: 0 });
  });
});
