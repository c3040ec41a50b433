import type { IncomingMessage, ServerResponse } from 'node:http';
import { IncomingMessage as NodeIncomingMessage, ServerResponse as NodeServerResponse } from 'node:http';
import { startTestServer, type TestServer } from '../../support/server';

/**
 * Requests and responses are made with the Express app's prototypes already (see
 * express-prototypes.ts): Express's per-request Object.setPrototypeOf then changes nothing, which
 * kept every request's objects alive past a scavenge when it did.
 */
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

it("hands Express requests and responses that already have the app's prototypes, and GraphQL and plain routes still answer", async () => {
  const seen: { request: boolean; response: boolean; node: boolean }[] = [];
  // Runs before Express has touched the request.
  const before = (req: IncomingMessage & { app?: unknown; get?: unknown }, res: ServerResponse & { app?: unknown; json?: unknown }) => {
    seen.push({
      request: req.app !== undefined && typeof req.get === 'function',
      response: res.app !== undefined && typeof res.json === 'function',
      node: req instanceof NodeIncomingMessage && res instanceof NodeServerResponse,
    });
  };
  server.app.httpServer.prependListener('request', before);
  try {
    const answer = await server.client().request('{ __typename }', {});
    expect(answer.data).toEqual({ __typename: 'Query' });
    const health = await fetch(`${server.url.replace(/\/graphql$/, '')}/healthz`);
    expect(await health.json()).toEqual({ status: 'ok' });
  } finally {
    server.app.httpServer.off('request', before);
  }
  expect(seen).toEqual([
    { request: true, response: true, node: true },
    { request: true, response: true, node: true },
  ]);
});
