import { randomUUID } from 'node:crypto';
import { createCast, type Cast } from '../../support/factories';
import type { TestServer } from '../../support/server';
import { adminUrl } from '../../support/database';
import WebSocket from 'ws';
import { waitFor } from '../../support/ws-client';
import { leaks, post, startHardenedServer, terminateBackends, type HardenedServer } from './support';

/**
 * PostgreSQL drops every connection of this server (pg_terminate_backend, on this test's own
 * database only) three times while clients keep sending messages. Requests caught in flight fail
 * cleanly (a masked error with a request id, nothing internal); the next ones succeed; and a client
 * that retries with the same clientMessageId loses nothing and duplicates nothing.
 */

let server: HardenedServer;
let cast: Cast;
let ticketId: string;

beforeAll(async () => {
  server = await startHardenedServer({ AUTO_ASSIGN: 'false' });
  cast = await createCast(server as unknown as TestServer);
  const created = await post(server.url, { query: 'mutation { createTicket(input: { subject: "Faults", description: "d" }) { ticket { id } } }' }, { token: cast.customerA.token });
  ticketId = (created.body.data as { createTicket: { ticket: { id: string } } }).createTicket.ticket.id;
});
afterAll(() => server.stop());

/** Messages each of the eight clients sends. */
const PER_CLIENT = 25;
const SEND = 'mutation ($input: SendMessageInput!) { sendMessage(input: $input) { message { id seq clientMessageId } } }';

interface Attempt {
  status: number;
  ok: boolean;
  text: string;
}

it('fails in-flight requests cleanly, serves the next ones, and loses no retried message', async () => {
  const attempts: Attempt[] = [];
  const delivered = new Map<string, number>();
  let stop = false;

  /** One client: sends its messages one after the other, retrying each (same clientMessageId) until it is in. */
  const client = async (name: string, token: string, count: number) => {
    for (let i = 0; i < count && !stop; i++) {
      const clientMessageId = `${name}-${i}-${randomUUID()}`;
      for (;;) {
        const answer = await post(server.url, { query: SEND, variables: { input: { ticketId, body: `${name} ${i}`, clientMessageId } } }, { token });
        const seq = (answer.body.data as { sendMessage?: { message: { seq: number } } } | null)?.sendMessage?.message.seq;
        attempts.push({ status: answer.status, ok: seq !== undefined, text: answer.text });
        if (seq !== undefined) {
          delivered.set(clientMessageId, seq);
          break;
        }
        if (stop) return;
      }
    }
  };
  const clients = [cast.customerA, cast.agent, cast.supervisor, cast.admin].flatMap((actor, index) => [
    client(`c${index}a`, actor.token, PER_CLIENT),
    client(`c${index}b`, actor.token, PER_CLIENT),
  ]);

  let killed = 0;
  for (const after of [30, 80, 130]) {
    await waitFor(() => attempts.length >= after, 30_000, `${after} requests`);
    killed += await terminateBackends(adminUrl(), server.databaseName);
  }
  await Promise.all(clients);
  stop = true;

  expect(killed).toBeGreaterThan(0);
  const failures = attempts.filter((attempt) => !attempt.ok);
  // Eight clients are always mid-request, so the kills do catch some (about 20 in 340 when measured).
  expect(failures.length).toBeGreaterThan(0);
  // Some requests were caught by the kills; every one of them failed cleanly.
  for (const failure of failures) {
    expect([200, 500, 503]).toContain(failure.status);
    expect(leaks(failure.text)).toBeUndefined();
    const body = JSON.parse(failure.text) as { errors: { message: string; extensions: { code: string; requestId?: string } }[] };
    expect(body.errors.map((error) => [error.message, error.extensions.code])).toEqual([['Internal server error.', 'INTERNAL_SERVER_ERROR']]);
    expect(body.errors[0].extensions.requestId).toEqual(expect.any(String));
  }

  // Nothing lost, nothing twice: each clientMessageId is stored once, and seq has no gap.
  expect(delivered.size).toBe(8 * PER_CLIENT);
  const rows = await server.app.services.orm.em.getConnection().execute<{ client_message_id: string; seq: number }[]>(
    'select client_message_id, seq from messages where ticket_id = ? order by seq',
    [ticketId],
  );
  expect(rows.map((row) => row.seq)).toEqual(rows.map((_, index) => index + 1));
  const stored = rows.filter((row) => row.client_message_id).map((row) => row.client_message_id);
  expect(new Set(stored).size).toBe(stored.length);
  expect(new Set(stored)).toEqual(new Set(delivered.keys()));

  // And the server is fine afterwards.
  for (let i = 0; i < 10; i++) {
    const answer = await post(server.url, { query: '{ viewer { id } tickets(first: 5) { totalCount } }' }, { token: cast.agent.token });
    expect({ status: answer.status, errors: answer.body.errors }).toEqual({ status: 200, errors: undefined });
  }
}, 120_000);

it('closes a websocket whose authentication fails with 4500 and no detail, even outside production', async () => {
  const sql = (statement: string) => server.app.services.orm.em.getConnection().execute(statement);
  await sql('alter table sessions rename to sessions_away');
  try {
    const socket = new WebSocket(server.wsUrl, 'graphql-transport-ws');
    const closed = new Promise<{ code: number; reason: string }>((resolve) => socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
    socket.once('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${cast.agent.token}` } })));
    expect(await closed).toEqual({ code: 4500, reason: 'Internal server error' });
  } finally {
    await sql('alter table sessions_away rename to sessions');
  }
  expect(server.logs.lines.some((line) => line.msg === 'could not authenticate a websocket' && /sessions/.test(String((line.err as { message?: string } | undefined)?.message)))).toBe(true);
});
