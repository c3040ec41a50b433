import { Writable } from 'node:stream';
import pino from 'pino';
import { Client } from 'pg';
import { loadConfig } from '../../../src/config';
import { createApp, type ParleyApp } from '../../../src/server/app';
import { createTestDatabase } from '../../support/database';

type LogLine = Record<string, unknown> & { level: number; msg: string };

/** A real server whose structured log lines are kept in memory. */
async function startLoggedServer(level: string) {
  const database = await createTestDatabase();
  const lines: LogLine[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const text of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(text));
      done();
    },
  });
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: database.url,
    JWT_SECRET: 'test-secret-test-secret-test-secret-0123',
    MIGRATE_ON_START: 'false',
    LOG_LEVEL: level,
  });
  const app: ParleyApp = await createApp({ config, logger: pino({ level: config.logLevel }, sink), databaseUrl: database.url });
  const port = await app.listen(0, '127.0.0.1');
  return {
    lines,
    database,
    origin: `http://127.0.0.1:${port}`,
    stop: async () => {
      await app.stop();
      await database.drop();
    },
  };
}

async function graphql(origin: string, query: string, operationName?: string) {
  const response = await fetch(`${origin}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, operationName }),
  });
  return { requestId: response.headers.get('x-request-id'), status: response.status, body: (await response.json()) as { errors?: { extensions: Record<string, unknown> }[] } };
}

/** The line is written when the response closes, which can trail the client's read by a tick. */
async function completionOf(lines: LogLine[], requestId: string | null): Promise<LogLine[]> {
  for (let i = 0; i < 100; i++) {
    const found = lines.filter((line) => line.requestId === requestId && line.msg === 'request completed');
    if (found.length) return found;
    await new Promise((resolve) => setImmediate(resolve));
  }
  return [];
}

describe('structured request logs', () => {
  describe('at LOG_LEVEL=info', () => {
    let server: Awaited<ReturnType<typeof startLoggedServer>>;
    beforeAll(async () => {
      server = await startLoggedServer('info');
    });
    afterAll(() => server.stop());

    it('logs each request once on completion with method, path, status, duration and request id', async () => {
      const { requestId } = await graphql(server.origin, 'query Ping { __typename }', 'Ping');
      const completed = await completionOf(server.lines, requestId);
      expect(completed).toHaveLength(1);
      expect(completed[0]).toMatchObject({ level: 30, method: 'POST', path: '/graphql', status: 200, operationName: 'Ping', requestId });
      expect(typeof completed[0].durationMs).toBe('number');
    });

    it('never logs the query string', async () => {
      const response = await fetch(`${server.origin}/graphiql?token=secret`);
      const [line] = await completionOf(server.lines, response.headers.get('x-request-id'));
      expect(line).toMatchObject({ path: '/graphiql', status: 200 });
      expect(JSON.stringify(line)).not.toContain('secret');
    });

    it('an unexpected GraphQL error is logged in full with the request id the client sees', async () => {
      // Break the users table under the running server, so resolving a user fails unexpectedly.
      const client = new Client({ connectionString: server.database.url });
      await client.connect();
      await client.query('alter table users rename to users_gone');
      try {
        const { requestId, body } = await graphql(server.origin, '{ node(id: "usr_01j00000000000000000000000") { id } }');
        expect(body.errors?.[0].extensions).toMatchObject({ code: 'INTERNAL_SERVER_ERROR', requestId });
        await completionOf(server.lines, requestId);
        const errors = server.lines.filter((line) => line.level === 50 && line.requestId === requestId);
        expect(errors.length).toBeGreaterThanOrEqual(1);
        expect(JSON.stringify(errors[0].err)).toContain('users');
      } finally {
        await client.query('alter table users_gone rename to users');
        await client.end();
      }
    });

    it('a malformed body is answered as JSON with the request id and logged as rejected', async () => {
      const response = await fetch(`${server.origin}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query": ' });
      const requestId = response.headers.get('x-request-id');
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({ errors: [{ message: expect.any(String), extensions: { code: 'BAD_REQUEST', requestId } }] });
      const [completed] = await completionOf(server.lines, requestId);
      expect(completed).toMatchObject({ status: 400 });
      expect(server.lines.some((line) => line.requestId === requestId && line.msg === 'request rejected')).toBe(true);
    });

    it('keeps probe requests at debug level', async () => {
      const response = await fetch(`${server.origin}/healthz`);
      expect(response.status).toBe(200);
      await graphql(server.origin, '{ __typename }'); // a later request, so the probe's line would be there by now
      expect(server.lines.some((line) => line.requestId === response.headers.get('x-request-id'))).toBe(false);
    });
  });

  describe('at LOG_LEVEL=warn', () => {
    let server: Awaited<ReturnType<typeof startLoggedServer>>;
    beforeAll(async () => {
      server = await startLoggedServer('warn');
    });
    afterAll(() => server.stop());

    it('completed requests are not logged', async () => {
      const { requestId, status } = await graphql(server.origin, '{ __typename }');
      expect(status).toBe(200);
      await graphql(server.origin, '{ __typename }');
      expect(server.lines.filter((line) => line.requestId === requestId)).toEqual([]);
      expect(server.lines.every((line) => line.level >= 40)).toBe(true);
    });
  });
});
