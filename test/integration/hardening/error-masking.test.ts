import { createCast, type Cast } from '../../support/factories';
import type { TestServer } from '../../support/server';
import { disposeWsClients, openRawSocket, waitFor } from '../../support/ws-client';
import { codesOf, leaks, post, startHardenedServer, type HardenedServer } from './support';

/**
 * In production, nothing internal reaches a client: no stack, no SQL, no driver message. Each error
 * carries the request id, and the log line with the details has the same id.
 */

let server: HardenedServer;
let cast: Cast;
beforeAll(async () => {
  server = await startHardenedServer({ NODE_ENV: 'production' });
  cast = await createCast(server as unknown as TestServer);
});
afterEach(() => disposeWsClients());
afterAll(() => server.stop());

/** What the log says about a request, error messages included. */
const loggedFor = (requestId: string) =>
  server.logs
    .withRequestId(requestId)
    .map((line) => `${line.msg} ${(line.err as { message?: string } | undefined)?.message ?? ''}`)
    .join('\n');

const sql = (statement: string) => server.app.services.orm.em.getConnection().execute(statement);

/** Runs `fn` while `table` is missing, so every statement touching it fails inside PostgreSQL. */
async function withoutTable<T>(table: string, fn: () => Promise<T>): Promise<T> {
  await sql(`alter table "${table}" rename to "${table}_away"`);
  try {
    return await fn();
  } finally {
    await sql(`alter table "${table}_away" rename to "${table}"`);
  }
}

it('masks a failing statement in a resolver, and logs it under the same request id', async () => {
  const answer = await withoutTable('tickets', () => post(server.url, { query: '{ tickets(first: 5) { totalCount nodes { id } } }' }, { token: cast.agent.token }));
  expect(answer.body.errors).toEqual([
    { message: 'Internal server error.', locations: expect.any(Array), path: ['tickets'], extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: answer.headers.get('x-request-id') } },
  ]);
  expect(leaks(answer.text)).toBeUndefined();
  expect(loggedFor(answer.headers.get('x-request-id')!)).toMatch(/relation "tickets" does not exist/);
});

it('masks a failure while authenticating (the context), with a 500 and no detail', async () => {
  const answer = await withoutTable('sessions', () => post(server.url, { query: '{ viewer { id } }' }, { token: cast.customerA.token }));
  expect(answer.status).toBe(500);
  expect(answer.body.errors).toEqual([{ message: 'Internal server error.', extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: answer.headers.get('x-request-id') } }]);
  expect(leaks(answer.text)).toBeUndefined();
  expect(loggedFor(answer.headers.get('x-request-id')!)).toMatch(/sessions/);
});

it('masks a failing statement over websockets, with the operation request id in both places', async () => {
  const raw = await openRawSocket(server.wsUrl, cast.agent.token);
  const answer = await withoutTable('tickets', async () => {
    raw.send({ id: 'q', type: 'subscribe', payload: { query: '{ tickets(first: 5) { totalCount } }' } });
    return waitFor(() => raw.messages.find((message) => message.id === 'q' && message.type === 'next'));
  });
  const errors = (answer.payload as { errors: { message: string; extensions: { code: string; requestId: string } }[] }).errors;
  expect(errors.map((error) => [error.message, error.extensions.code])).toEqual([['Internal server error.', 'INTERNAL_SERVER_ERROR']]);
  expect(errors[0].extensions.requestId).toMatch(/:q$/);
  expect(leaks(JSON.stringify(answer))).toBeUndefined();
  expect(loggedFor(errors[0].extensions.requestId)).toMatch(/relation "tickets" does not exist/);
});

it('keeps application errors and input errors readable', async () => {
  const forbidden = await post(server.url, { query: 'mutation { createAgent(input: { name: "x", email: "x@example.test", password: "long password", role: AGENT }) { agent { id } } }' }, { token: cast.customerA.token });
  expect(codesOf(forbidden)).toEqual(['FORBIDDEN']);
  expect(forbidden.body.errors![0].message).toBe('Only admins may do this.');
  const invalid = await post(server.url, { query: 'mutation { signUp(input: { name: "", email: "not an email", password: "short" }) { token } }' });
  expect(codesOf(invalid)).toEqual(['BAD_USER_INPUT']);
  expect(leaks(invalid.text)).toBeUndefined();
});

it.each([
  ['malformed JSON', { body: '{"query": "{ __typename }"', headers: { 'content-type': 'application/json' } }],
  ['a JSON string body', { body: '"just a string"', headers: { 'content-type': 'application/json' } }],
  ['a wrong charset', { body: '{}', headers: { 'content-type': 'application/json; charset=klingon' } }],
  ['an unsupported encoding', { body: '{}', headers: { 'content-type': 'application/json', 'content-encoding': 'compress' } }],
  ['a query that is not a string', { body: '{"query": {"kind": "Document"}}', headers: { 'content-type': 'application/json' } }],
])('answers %s with a 4xx and the request id, and nothing internal', async (_name, init) => {
  const response = await fetch(server.url, { method: 'POST', ...init });
  const text = await response.text();
  expect(response.status).toBeGreaterThanOrEqual(400);
  expect(response.status).toBeLessThan(500);
  expect(leaks(text)).toBeUndefined();
  expect(JSON.parse(text).errors[0].extensions.requestId).toBe(response.headers.get('x-request-id'));
});

it('answers an unknown route without a stack', async () => {
  const response = await fetch(`${server.origin}/../../etc/passwd`);
  expect(response.status).toBe(404);
  expect(leaks(await response.text())).toBeUndefined();
});
