/**
 * The iteration loop behind bench/NOTES.md: builds Parley, starts it on the seeded list benchmark
 * database (parley_bench: run `npm run bench -- --only list` once), loads it with autocannon and
 * prints requests/s and the server's CPU per request (from /proc, so it counts GC and syscalls).
 * CPU per request holds steadier than throughput while other work shares the machine; alternate
 * runs of two builds (git stash) to compare them.
 *
 *   node -r @swc-node/register bench/cpu-per-request.ts list [seconds]
 *   node -r @swc-node/register bench/cpu-per-request.ts send [seconds]
 *   QUERIES=$'{ viewer { id } }\n{ tickets(first: 50) { nodes { id } } }' node -r @swc-node/register bench/cpu-per-request.ts list 8
 *   PROFILE=1 … (a CPU profile of the second run, or of each query, in bench/.work/profiles; PROFILE=allocations: sampled allocations)   CONNECTIONS=1 … (serial requests)
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import autocannon from 'autocannon';
import { LIST_QUERY } from './benchmarks/list';
import { SEND_MUTATION } from './benchmarks/send';
import { databaseUrl } from './lib/database';
import { buildParley, Role, startParley, tokenFor } from './lib/parley';
import { WORK_DIR } from './lib/paths';
import type { ProfileKind } from './lib/processes';
import { benchActors, benchId, DEFAULT_CONVERSATIONS } from './seed/conversations';

const PORT = 4111;
const profileKind: ProfileKind = process.env.PROFILE === 'allocations' ? 'allocations' : 'cpu';

/** User plus system CPU of a process so far, in ms. */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  const ticksPerSecond = 100;
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond;
}

async function main(): Promise<void> {
  const which = process.argv[2] === 'send' ? 'send' : 'list';
  const seconds = Number(process.argv[3] ?? 10);
  const connections = Number(process.env.CONNECTIONS ?? (which === 'send' ? 16 : 8));
  const server = await startParley(buildParley(console.log), 'cpu-per-request', databaseUrl('parley_bench'), PORT);
  const agent = benchActors(DEFAULT_CONVERSATIONS).agents[0];
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${await tokenFor(agent.userId, Role.AGENT, agent.sessionId)}` };
  const ticketIds = Array.from({ length: DEFAULT_CONVERSATIONS.tickets }, (_, i) => benchId('tkt', i + 1));
  let sent = 0;
  const sendBody = () =>
    JSON.stringify({ query: SEND_MUTATION, variables: { input: { ticketId: ticketIds[(++sent * 7919) % ticketIds.length], body: 'Could you send me a screenshot?' } } });

  const run = async (label: string, durationSeconds: number, body: string | null) => {
    const before = cpuMs(server.pid);
    const result = await autocannon({
      url: `http://127.0.0.1:${PORT}/graphql`,
      method: 'POST',
      connections,
      duration: durationSeconds,
      headers,
      ...(body === null ? { requests: [{ setupRequest: (request: autocannon.Request) => ({ ...request, body: sendBody() }) }] } : { body }),
    } as autocannon.Options);
    const used = cpuMs(server.pid) - before;
    const requests = result.requests.total;
    console.log(
      `${label}: ${(requests / durationSeconds).toFixed(1)} req/s, ${(used / requests).toFixed(2)} ms CPU/req, ` +
        `${(result.throughput.total / requests / 1024).toFixed(1)} KB/answer, ${result.non2xx + result.errors} failed`,
    );
  };

  try {
    const body = which === 'send' ? null : JSON.stringify({ query: LIST_QUERY });
    await run('warm-up', 3, body);
    if (process.env.QUERIES) {
      for (const [index, query] of process.env.QUERIES.split('\n').filter(Boolean).entries()) {
        if (process.env.PROFILE) await server.profile(true, profileKind);
        await run(query.slice(0, 100), seconds, JSON.stringify({ query }));
        if (process.env.PROFILE) console.log(await server.profile(false, path.join(WORK_DIR, 'profiles', `cpu-per-request-query${index + 1}-${Date.now()}`)));
      }
    } else if (process.env.PROFILE) {
      await server.profile(true, profileKind);
      await run(which, seconds, body);
      console.log(await server.profile(false, path.join(WORK_DIR, 'profiles', `cpu-per-request-${which}-${Date.now()}`)));
    } else {
      await run(which, seconds, body);
      await run(which, seconds, body);
    }
  } finally {
    await server.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
