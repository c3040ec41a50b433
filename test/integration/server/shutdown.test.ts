import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import { Client } from 'pg';
import WebSocket from 'ws';
import { createTestDatabase } from '../../support/database';
import { waitFor } from '../../support/ws-client';

const root = path.resolve(__dirname, '..', '..', '..');

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

interface ServerProcess {
  child: ChildProcess;
  /** Structured log lines (stdout), parsed. */
  logs: Record<string, unknown>[];
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** `src/main.ts` in a child process, as `npm run dev` runs it, with only the given environment. */
function startProcess(env: Record<string, string>): ServerProcess {
  const child = spawn(process.execPath, ['-r', '@swc-node/register', 'src/main.ts'], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Record<string, unknown>[] = [];
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    const lines = stdout.split('\n');
    stdout = lines.pop()!;
    for (const line of lines.filter(Boolean)) logs.push(JSON.parse(line));
  });
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, logs, stderr: () => stderr, exited };
}

const logged = (server: ServerProcess, msg: string) => () => server.logs.find((line) => line.msg === msg);

describe('the server process', () => {
  describe('on SIGTERM', () => {
    let database: Awaited<ReturnType<typeof createTestDatabase>>;
    let server: ServerProcess | undefined;
    let locker: Client | undefined;
    let socket: WebSocket | undefined;

    beforeEach(async () => {
      database = await createTestDatabase();
    });
    afterEach(async () => {
      socket?.terminate();
      await locker?.end().catch(() => undefined);
      if (server && server.child.exitCode === null) {
        server.child.kill('SIGKILL');
        await server.exited;
      }
      await database.drop();
    });

    it('finishes the request in flight, closes websockets with 1001 and exits 0', async () => {
      const port = await freePort();
      server = startProcess({
        NODE_ENV: 'production',
        HOST: '127.0.0.1',
        PORT: String(port),
        DATABASE_URL: database.url,
        JWT_SECRET: 'shutdown-test-secret-shutdown-test-secret',
        MIGRATE_ON_START: 'false',
        LOG_LEVEL: 'info',
      });
      const s = server;
      await waitFor(logged(s, 'Parley is listening'), 20_000, 'the server to listen');

      // A websocket that has completed the graphql-ws handshake.
      const ws = new WebSocket(`ws://127.0.0.1:${port}/graphql`, 'graphql-transport-ws');
      socket = ws;
      const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
      await new Promise<void>((resolve, reject) => {
        ws.once('error', reject);
        ws.once('open', () => ws.send(JSON.stringify({ type: 'connection_init', payload: {} })));
        ws.on('message', (data) => {
          if (JSON.parse(String(data)).type === 'connection_ack') resolve();
        });
      });

      // A request held in flight: it reads `users`, which another connection has locked.
      locker = new Client({ connectionString: database.url });
      await locker.connect();
      await locker.query('begin');
      await locker.query('lock table users in access exclusive mode');
      const inFlight = fetch(`http://127.0.0.1:${port}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ node(id: "usr_01j00000000000000000000000") { id } }' }),
      });
      await waitFor(async () => {
        const { rows } = await locker!.query(`select 1 from pg_locks where relation = 'users'::regclass and not granted`);
        return rows.length > 0;
      }, 5_000, 'the request to wait on the lock');

      s.child.kill('SIGTERM');
      await waitFor(logged(s, 'shutting down'), 5_000, 'shutdown to begin');
      expect(await closed).toBe(1001);
      // No new connections once shutdown has begun...
      await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
      expect(s.child.exitCode).toBeNull();

      // ...but the one in flight is answered once its query can finish.
      await locker.query('commit');
      const response = await inFlight;
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ data: { node: null } });

      expect(await s.exited).toEqual({ code: 0, signal: null });
      expect(s.logs.map((line) => line.msg)).toContain('stopped');
      expect(s.stderr()).toBe('');
    });
  });

  describe('with an invalid environment', () => {
    it('exits non-zero naming each bad variable, without a stack trace', async () => {
      const server = startProcess({ PORT: 'abc', NODE_ENV: 'production' });
      const { code } = await server.exited;
      expect(code).not.toBe(0);
      expect(server.stderr()).toBe('Invalid configuration:\n  PORT: must be a number\n  JWT_SECRET: required when NODE_ENV=production\n');
      expect(server.logs).toEqual([]);
    });
  });
});
