import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import WebSocket from 'ws';
import { Kind, parse, print } from 'graphql';
import { createCast, type Cast } from '../support/factories';
import type { TestServer } from '../support/server';
import { waitFor } from '../support/ws-client';
import { leaks, post, startHardenedServer, type HardenedServer } from '../integration/hardening/support';
import { abusiveDocument, describeFailure, mutated, tokenSoup } from './arbitraries';

/**
 * Malformed documents, request bodies and websocket frames (about 1,000 requests and 1,000 frames
 * on 100 sockets by default), sent in parallel
 * batches to one server: every answer is a 2xx or 4xx with GraphQL errors carrying known codes and
 * nothing internal; sockets close with protocol codes, never 4500; the server keeps serving.
 * FUZZ_RUNS and FUZZ_SEED work as in mutations.test.ts.
 */

const RUNS = Number(process.env.FUZZ_RUNS ?? 50);
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined;
const BATCH = 20;
const EXPECTED_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'PAYLOAD_TOO_LARGE',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
]);

let server: HardenedServer;
let cast: Cast;
let tokens: (string | undefined)[];
let sent = 0;

/** The operations clients ship, each with the fragments it needs: the seeds for near-valid documents. */
const operations = (() => {
  const dir = path.resolve(__dirname, '../operations');
  return fs.readdirSync(dir).flatMap((file) => {
    const document = parse(fs.readFileSync(path.join(dir, file), 'utf8'));
    const fragments = document.definitions.filter((definition) => definition.kind === Kind.FRAGMENT_DEFINITION);
    return document.definitions
      .filter((definition) => definition.kind === Kind.OPERATION_DEFINITION)
      .map((operation) => print({ kind: Kind.DOCUMENT, definitions: [operation, ...fragments] }));
  });
})();

beforeAll(async () => {
  server = await startHardenedServer({ AUTO_ASSIGN: 'false' });
  cast = await createCast(server as unknown as TestServer);
  tokens = [undefined, cast.customerA.token, cast.agent.token, cast.admin.token];
});
afterAll(() => server?.stop());

const document = fc.oneof(
  { weight: 3, arbitrary: tokenSoup },
  { weight: 4, arbitrary: fc.constantFrom(...operations).chain(mutated) },
  { weight: 2, arbitrary: fc.string({ maxLength: 200 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 100 }) },
  { weight: 1, arbitrary: abusiveDocument },
);

/** Bodies that are JSON but not a GraphQL request, or a request with fields of the wrong types. */
const body = fc.oneof(
  { weight: 6, arbitrary: fc.record({ query: document, variables: fc.option(fc.jsonValue({ maxDepth: 3 }), { nil: undefined }) }).map((request) => JSON.stringify(request)) },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((value) => JSON.stringify(value)) },
  {
    weight: 2,
    arbitrary: fc
      .record({ query: fc.jsonValue({ maxDepth: 2 }), operationName: fc.jsonValue({ maxDepth: 1 }), variables: fc.jsonValue({ maxDepth: 2 }), extensions: fc.jsonValue({ maxDepth: 2 }) }, { requiredKeys: [] })
      .map((request) => JSON.stringify(request)),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 300 }) },
  { weight: 1, arbitrary: fc.constantFrom('{"query":"{ __typename }","variables":{"a":'.padEnd(300, '['), '[]', '[{"query":"{ __typename }"}]', '{"extensions":{"persistedQuery":{"version":1,"sha256Hash":"abc"}}}') },
);

function checkAnswer(label: string, status: number, text: string): void {
  if (status >= 500) throw new Error(`${label}: HTTP ${status} ${text.slice(0, 300)}`);
  const leak = leaks(text);
  if (leak) throw new Error(`${label}: leaks (${leak}): ${text.slice(0, 300)}`);
  let answer: { data?: unknown; errors?: { message: string; extensions?: { code?: string; requestId?: string } }[] };
  try {
    answer = JSON.parse(text);
  } catch {
    throw new Error(`${label}: HTTP ${status}, not JSON: ${text.slice(0, 200)}`);
  }
  if (!answer.data && !answer.errors?.length) throw new Error(`${label}: neither data nor errors: ${text.slice(0, 200)}`);
  for (const error of answer.errors ?? []) {
    if (!EXPECTED_CODES.has(String(error.extensions?.code))) throw new Error(`${label}: ${error.extensions?.code}: ${error.message}`);
    if (!error.extensions?.requestId) throw new Error(`${label}: an error without a request id: ${error.message}`);
  }
}

it('answers malformed documents and request bodies over HTTP with 4xx or 200, known codes and nothing internal', async () => {
  await fc
    .assert(
      fc.asyncProperty(fc.array(fc.tuple(body, fc.nat({ max: 3 })), { minLength: BATCH, maxLength: BATCH }), async (batch) => {
        await Promise.all(
          batch.map(async ([raw, who]) => {
            sent++;
            const answer = await post(server.url, raw, { token: tokens[who] });
            checkAnswer(`${raw.slice(0, 200)} as #${who}`, answer.status, answer.text);
          }),
        );
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: true },
    )
    .catch((error: Error) => {
      throw new Error(describeFailure(error));
    });
  expect(sent).toBeGreaterThanOrEqual(RUNS * BATCH);
  expect((await post(server.url, { query: '{ __typename }' })).body).toEqual({ data: { __typename: 'Query' } });
}, 120_000);

/** A frame a hostile graphql-ws client might send. */
const frame = fc.oneof(
  { weight: 4, arbitrary: fc.record({ id: fc.string({ maxLength: 8 }), type: fc.constant('subscribe'), payload: fc.record({ query: document, variables: fc.option(fc.jsonValue({ maxDepth: 2 }), { nil: undefined }) }) }).map((m) => JSON.stringify(m)) },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value)) },
  { weight: 1, arbitrary: fc.record({ id: fc.string({ maxLength: 4 }), type: fc.constantFrom('complete', 'ping', 'pong', 'connection_init', 'next', 'error') }).map((m) => JSON.stringify(m)) },
  { weight: 1, arbitrary: fc.string({ maxLength: 100 }) },
);

/** Socket closes a misbehaving client may get; 4500 (internal error) is not one of them. */
const PROTOCOL_CLOSES = new Set([1000, 1005, 1009, 4400, 4401, 4409, 4429]);

it('answers malformed websocket frames with errors or protocol closes, never an internal error', async () => {
  let frames = 0;
  await fc
    .assert(
      fc.asyncProperty(fc.array(frame, { minLength: 5, maxLength: 15 }), fc.nat({ max: 3 }), async (batch, who) => {
        const socket = new WebSocket(server.wsUrl, 'graphql-transport-ws');
        const messages: string[] = [];
        let closed: { code: number; reason: string } | undefined;
        socket.on('message', (data) => messages.push(String(data)));
        socket.on('close', (code, reason) => (closed = { code, reason: String(reason) }));
        socket.on('error', () => undefined);
        try {
          await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
          socket.send(JSON.stringify({ type: 'connection_init', payload: tokens[who] ? { authorization: `Bearer ${tokens[who]}` } : {} }));
          await waitFor(() => messages.length > 0 || closed, 5000, 'the acknowledgement');
          for (const raw of batch) {
            if (closed) break;
            frames++;
            socket.send(raw);
          }
          // A ping answered means every frame before it was handled (graphql-ws reads in order).
          if (!closed) socket.send(JSON.stringify({ type: 'ping', payload: { fuzz: 'done' } }));
          await waitFor(() => closed || messages.some((m) => m.includes('"fuzz":"done"')), 5000, 'the frames to be handled');
          const label = `${JSON.stringify(batch).slice(0, 400)} as #${who}`;
          if (closed && !PROTOCOL_CLOSES.has(closed.code)) throw new Error(`${label}: closed ${closed.code} ${closed.reason}`);
          for (const message of messages) {
            const leak = leaks(message);
            if (leak) throw new Error(`${label}: leaks (${leak}): ${message.slice(0, 300)}`);
            if (/INTERNAL_SERVER_ERROR/.test(message)) throw new Error(`${label}: ${message.slice(0, 300)}`);
          }
        } finally {
          socket.terminate();
        }
      }),
      { numRuns: RUNS * 2, seed: SEED, endOnFailure: true },
    )
    .catch((error: Error) => {
      throw new Error(describeFailure(error));
    });
  expect(frames).toBeGreaterThan(RUNS * 2);
  await waitFor(() => server.app.services.realtime.stats().sockets === 0, 5000, 'every fuzzed socket to be gone');
  expect(server.app.services.realtime.stats().operations).toBe(0);
}, 120_000);
