import { createTestDatabase, runAdmin } from '../../support/database';
import { startTestServer, type TestServer } from '../../support/server';
import { startTcpProxy, type TcpProxy } from '../../support/tcp-proxy';
import { waitFor } from '../../support/ws-client';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

interface Probe {
  status: number;
  body: { status: string; checks?: Record<string, string> };
}

async function probe(server: TestServer, path: '/healthz' | '/readyz'): Promise<Probe> {
  const response = await fetch(new URL(path, server.url));
  return { status: response.status, body: (await response.json()) as Probe['body'] };
}

describe('health probes', () => {
  describe('on a healthy server without Redis', () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startTestServer();
    });
    afterAll(() => server.stop());

    it('/healthz answers 200', async () => {
      expect(await probe(server, '/healthz')).toEqual({ status: 200, body: { status: 'ok' } });
    });

    it('/readyz answers 200 and checks only the database', async () => {
      expect(await probe(server, '/readyz')).toEqual({ status: 200, body: { status: 'ready', checks: { database: 'ok' } } });
    });

    it('every response carries a request id, and a sane incoming one is kept', async () => {
      const fresh = await fetch(new URL('/healthz', server.url));
      expect(fresh.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
      const kept = await fetch(new URL('/healthz', server.url), { headers: { 'x-request-id': 'lb-1234.abc' } });
      expect(kept.headers.get('x-request-id')).toBe('lb-1234.abc');
      const replaced = await fetch(new URL('/healthz', server.url), { headers: { 'x-request-id': 'no spaces <allowed>' } });
      expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    });
  });

  describe('on a healthy server with Redis', () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startTestServer({ redis: true });
    });
    afterAll(() => server.stop());

    it('/readyz answers 200 and checks the database and Redis', async () => {
      expect(await probe(server, '/readyz')).toEqual({ status: 200, body: { status: 'ready', checks: { database: 'ok', redis: 'ok' } } });
    });
  });

  describe('when the database goes away', () => {
    let database: Awaited<ReturnType<typeof createTestDatabase>>;
    let proxy: TcpProxy;
    let server: TestServer;
    beforeEach(async () => {
      database = await createTestDatabase();
      proxy = await startTcpProxy(database.url);
      server = await startTestServer({ databaseUrl: proxy.url(database.url) });
      expect((await probe(server, '/readyz')).status).toBe(200);
    });
    afterEach(async () => {
      await proxy.restore();
      await server.stop();
      await proxy.close();
      await database.drop();
    });

    it('/readyz answers 503 while it refuses connections, and 200 once it is back', async () => {
      await proxy.cut();
      const down = await waitFor(async () => {
        const result = await probe(server, '/readyz');
        return result.status === 503 ? result : undefined;
      });
      expect(down.body).toEqual({ status: 'unavailable', checks: { database: 'unavailable' } });
      expect((await probe(server, '/healthz')).status).toBe(200);

      await proxy.restore();
      await waitFor(async () => (await probe(server, '/readyz')).status === 200);
    });

    it('/readyz answers 503 within its time limit when the database stops answering', async () => {
      await proxy.stall();
      const started = Date.now();
      const result = await probe(server, '/readyz');
      expect(result).toEqual({ status: 503, body: { status: 'unavailable', checks: { database: 'unavailable' } } });
      expect(Date.now() - started).toBeLessThan(4_000);
    });

    it('/readyz answers 503 when its database has been dropped', async () => {
      await runAdmin(`drop database "${database.name}" with (force)`);
      expect(await probe(server, '/readyz')).toEqual({ status: 503, body: { status: 'unavailable', checks: { database: 'unavailable' } } });
    });
  });

  describe('when Redis goes away', () => {
    let proxy: TcpProxy;
    let server: TestServer;
    beforeAll(async () => {
      proxy = await startTcpProxy(REDIS_URL);
      server = await startTestServer({ redis: true, env: { REDIS_URL: proxy.url(REDIS_URL) } });
    });
    afterAll(async () => {
      await server.stop();
      await proxy.close();
    });

    it('/readyz answers 503 naming Redis, and 200 once Redis is back', async () => {
      expect((await probe(server, '/readyz')).status).toBe(200);
      await proxy.cut();
      const down = await waitFor(async () => {
        const result = await probe(server, '/readyz');
        return result.status === 503 ? result : undefined;
      });
      expect(down.body).toEqual({ status: 'unavailable', checks: { database: 'ok', redis: 'unavailable' } });

      await proxy.restore();
      await waitFor(async () => (await probe(server, '/readyz')).status === 200);
    });
  });
});
