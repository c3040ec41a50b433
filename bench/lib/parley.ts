import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { AccessTokens } from '../../src/shared/auth/tokens';
import { Role } from '../../src/shared/roles';
import { REDIS_URL } from './database';
import { PROJECT_ROOT, WORK_DIR } from './paths';
import { ServerProcess } from './processes';

export const JWT_SECRET = 'benchmark-secret-benchmark-secret-0123456789';
const TOKEN_TTL_SECONDS = 86_400;
/** Node's flags as `npm start` passes them (package.json): a young generation sized for GraphQL's short-lived objects. */
const START_FLAGS = ['--max-semi-space-size=32'];

/** Rates raised far beyond any load here: the benchmark measures the work, not the limiter's refusals. */
const UNLIMITED = '1000000000/1s';
const RAISED_LIMITS: Record<string, string> = {
  RATE_LIMIT_KEY_PREFIX: 'parley-bench:rl',
  RATE_LIMIT_REQUESTS_PER_IP: UNLIMITED,
  RATE_LIMIT_COST_PER_IP: UNLIMITED,
  RATE_LIMIT_COST_PER_USER: UNLIMITED,
  RATE_LIMIT_SIGNUPS_PER_IP: UNLIMITED,
  RATE_LIMIT_WS_CONNECTIONS_PER_IP: UNLIMITED,
  RATE_LIMIT_OPERATIONS_PER_SOCKET: UNLIMITED,
  RATE_LIMIT_SEND_MESSAGE: UNLIMITED,
  RATE_LIMIT_SET_TYPING: UNLIMITED,
};

export interface ParleyBuild {
  /** How Parley runs: the tsc build (as `npm start`), or swc-node when the tree does not typecheck. */
  kind: 'tsc' | 'swc-node';
  args: string[];
  nodeArgs: string[];
}

/**
 * Builds Parley as `npm run build` does, into bench/.work/dist (dist/ belongs to whoever runs the
 * server). If the working tree does not compile (someone's work in progress), it runs the sources
 * through swc-node instead and the results say so.
 */
export function buildParley(log: (line: string) => void): ParleyBuild {
  const outDir = path.join(WORK_DIR, 'dist');
  const started = Date.now();
  const result = spawnSync(
    process.execPath,
    [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', outDir, '--incremental', '--tsBuildInfoFile', path.join(WORK_DIR, 'tsbuildinfo')],
    { cwd: PROJECT_ROOT, encoding: 'utf8' },
  );
  const main = path.join(outDir, 'src', 'main.js');
  if (result.status === 0 && existsSync(main)) {
    log(`  built Parley with tsc in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    return { kind: 'tsc', args: [main], nodeArgs: START_FLAGS };
  }
  log(`  tsc failed (${(result.stdout || result.stderr).split('\n').slice(0, 3).join(' | ')}); running Parley through swc-node`);
  return { kind: 'swc-node', args: [path.join(PROJECT_ROOT, 'src', 'main.ts')], nodeArgs: [...START_FLAGS, '-r', '@swc-node/register'] };
}

export function parleyEnv(databaseUrl: string, port: number, extra: Record<string, string> = {}): Record<string, string> {
  return {
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: String(port),
    DATABASE_URL: databaseUrl,
    REDIS_URL,
    JWT_SECRET,
    ACCESS_TOKEN_TTL_SECONDS: String(TOKEN_TTL_SECONDS),
    MIGRATE_ON_START: 'false',
    LOG_LEVEL: 'warn',
    ...RAISED_LIMITS,
    ...extra,
  };
}

export function startParley(build: ParleyBuild, name: string, databaseUrl: string, port: number, extra: Record<string, string> = {}): Promise<ServerProcess> {
  return ServerProcess.start({
    name,
    nodeArgs: build.nodeArgs,
    args: build.args,
    env: parleyEnv(databaseUrl, port, extra),
    cwd: PROJECT_ROOT,
    port,
    startTimeoutMs: 120_000,
  });
}

const tokens = new AccessTokens(JWT_SECRET, TOKEN_TTL_SECONDS);

/** An access token for a seeded session, signed as Parley signs them. */
export async function tokenFor(userId: string, role: Role, sessionId: string): Promise<string> {
  return (await tokens.issue(userId, role, sessionId)).token;
}

export { Role };
