import type { BenchContext } from '../lib/context';
import { entryFrom } from '../lib/context';
import type { ServerProcess } from '../lib/processes';
import type { BenchmarkEntry } from '../lib/results';
import { interleavedHttpRuns, type HttpContender } from './http-contenders';

export const LIST_QUERY =
  'query List { tickets(first: 50) { nodes { customer { name } assignee { user { name } } messages(last: 20) { nodes { author { name } body } } } } }';

const listQuery = (first: number) => LIST_QUERY.replace('first: 50', `first: ${first}`);

export interface ListTargets {
  parley: { url: string; server: ServerProcess };
  floor: { url: string; server: ServerProcess };
  /** PostGraphile, when it runs here: its own query over the same tables, the answer mapped to ours. */
  peer?: { name: string; url: string; server: ServerProcess; body: string; toParleyShape: (body: string) => string };
  token: string;
}

async function post(url: string, token: string, body: string): Promise<string> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body });
  return response.text();
}

/**
 * Statements per request, counted in each request's own async context (so the server's background
 * work is left out), over a few serial requests: the largest count seen.
 */
async function statementsFor(server: ServerProcess, url: string, token: string, body: string, samples = 5): Promise<number> {
  await server.startAttribution();
  for (let i = 0; i < samples; i++) await post(url, token, body);
  const { requests } = await server.stopAttribution();
  return Math.max(...requests);
}

/** Benchmark 1: the ticket list, against the node:http + pg floor (and PostGraphile when present). */
export async function listBenchmark(ctx: BenchContext, targets: ListTargets): Promise<BenchmarkEntry[]> {
  const { token } = targets;
  const body = JSON.stringify({ query: LIST_QUERY });
  // The same answer, byte for byte, before anything is timed.
  const expected = await post(targets.parley.url, token, body);
  if (!expected.startsWith('{"data":{"tickets":{"nodes":[{')) throw new Error(`list: Parley answered ${expected.slice(0, 300)}`);
  const floorAnswer = await post(targets.floor.url, token, body);
  if (floorAnswer !== expected) throw new Error('list: the floor does not answer what Parley answers');
  if (targets.peer) {
    const peerAnswer = targets.peer.toParleyShape(await post(targets.peer.url, token, targets.peer.body));
    if (peerAnswer !== expected) throw new Error(`list: ${targets.peer.name} does not answer what Parley answers: ${peerAnswer.slice(0, 300)}`);
  }
  const shape: Record<string, number> = {};
  for (const first of [10, 50, 100]) {
    shape[`statementsFirst${first}`] = await statementsFor(targets.parley.server, targets.parley.url, token, JSON.stringify({ query: listQuery(first) }));
  }
  shape.floorStatements = await statementsFor(targets.floor.server, targets.floor.url, token, body);
  ctx.log(`  statements per request, serial: Parley ${shape.statementsFirst10} / ${shape.statementsFirst50} / ${shape.statementsFirst100} for 10 / 50 / 100 tickets; floor ${shape.floorStatements}`);

  const headers = { authorization: `Bearer ${token}` };
  const contenders: HttpContender[] = [
    { name: 'parley', load: { url: targets.parley.url, headers, body, verify: (answer) => answer === expected }, servers: [targets.parley.server], profile: true },
    { name: 'floor', load: { url: targets.floor.url, headers, body, verify: (answer) => answer === expected }, servers: [targets.floor.server] },
  ];
  const peer = targets.peer;
  if (peer) {
    // Verifying through the mapping on every answer would charge the load generator; the shape was checked above.
    const peerLength = (await post(peer.url, token, peer.body)).length;
    contenders.push({ name: peer.name, load: { url: peer.url, headers, body: peer.body, verify: (answer) => answer.length === peerLength }, servers: [peer.server] });
  }
  const round = ctx.options.quick ? { connections: 16, durationSeconds: 4, warmupSeconds: 2 } : { connections: 16, durationSeconds: 10, warmupSeconds: 4 };
  const runs = await interleavedHttpRuns(ctx, 'list', contenders, round);
  const notes = [
    `${round.connections} connections, ${round.durationSeconds} s per run after a ${round.warmupSeconds} s warm-up of each contender; every answer compared with Parley's, byte for byte.`,
    `Statements per request (serial requests, fewest seen): Parley ${shape.statementsFirst10} for tickets(first: 10), ${shape.statementsFirst50} for 50, ${shape.statementsFirst100} for 100; the floor ${shape.floorStatements}.`,
  ];
  const entries = [
    entryFrom(ctx, {
      key: 'list',
      name: 'List query: tickets(first: 50) with customer, assignee and messages(last: 20) (10,000 tickets × 20 messages)',
      metric: 'requests/s',
      unit: 'req/s',
      higherIsBetter: true,
      parleyContender: 'parley',
      comparisonContender: 'floor',
      comparisonName: 'floor: node:http + pg, same JSON, 3 statements (session, tickets with names, window-function messages)',
      target: '≥ 0.67× the floor; a constant number of statements per request',
      meets: (p, f) => p.requestsPerSecond >= 0.67 * f.requestsPerSecond && shape.statementsFirst10 === shape.statementsFirst50 && shape.statementsFirst50 === shape.statementsFirst100,
      runs,
      notes,
      extraContenders: peer ? [peer.name] : [],
    }),
  ];
  for (const [name, value] of Object.entries(shape)) entries[0].figures.parley[name] = value;
  if (peer) {
    entries.push(
      entryFrom(ctx, {
        key: 'list-peer',
        name: `List query against a peer: ${peer.name} over the same tables`,
        metric: 'requests/s',
        unit: 'req/s',
        higherIsBetter: true,
        parleyContender: 'parley',
        comparisonContender: peer.name,
        comparisonName: peer.name,
        target: 'for comparison (no target)',
        meets: () => null,
        runs,
        notes: [`The same runs as "list": ${peer.name} interleaved with Parley and the floor.`],
      }),
    );
  }
  return entries;
}
