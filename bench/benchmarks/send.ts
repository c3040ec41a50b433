import { vacuumDatabase } from '../lib/database';
import type { BenchContext } from '../lib/context';
import { entryFrom } from '../lib/context';
import type { ServerProcess } from '../lib/processes';
import type { BenchmarkEntry } from '../lib/results';
import { interleavedHttpRuns, type HttpContender } from './http-contenders';

export const SEND_MUTATION = 'mutation Send($input: SendMessageInput!) { sendMessage(input: $input) { message { id seq } } }';
const BODIES = [
  'Thanks for waiting, I am looking into this now.',
  'Could you send me a screenshot of the error you see?',
  'I have escalated this to our billing team; you will hear from us today.',
  'That should be fixed now, can you try again?',
];

export interface SendTargets {
  parley: { url: string; server: ServerProcess };
  floor: { url: string; server: ServerProcess };
  /** Agents' tokens; each request is sent by one of them. */
  tokens: string[];
  ticketIds: string[];
  /** The benchmark database, vacuumed before each timed run: every send updates a ticket row. */
  databaseUrl: string;
}

/** Benchmark 2: sendMessage against the floor's one-transaction insert and counter update. */
export async function sendBenchmark(ctx: BenchContext, targets: SendTargets): Promise<BenchmarkEntry[]> {
  let n = 0;
  const nextBody = () => {
    n++;
    const ticketId = targets.ticketIds[(n * 7919) % targets.ticketIds.length];
    return JSON.stringify({ query: SEND_MUTATION, variables: { input: { ticketId, body: BODIES[n % BODIES.length] } } });
  };
  const verify = (answer: string) => answer.startsWith('{"data":{"sendMessage":{"message":{"id":"msg_');
  const first = await fetch(targets.parley.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${targets.tokens[0]}` },
    body: nextBody(),
  }).then((response) => response.text());
  if (!verify(first)) throw new Error(`send: Parley answered ${first.slice(0, 300)}`);

  const headers = { authorization: `Bearer ${targets.tokens[0]}` };
  const contenders: HttpContender[] = [
    { name: 'parley', load: { url: targets.parley.url, headers, body: nextBody, verify }, servers: [targets.parley.server], profile: true },
    { name: 'floor', load: { url: targets.floor.url, headers, body: nextBody, verify }, servers: [targets.floor.server] },
  ];
  const beforeEach = async () => {
    await vacuumDatabase(targets.databaseUrl);
  };
  const round = ctx.options.quick ? { connections: 16, durationSeconds: 4, warmupSeconds: 2, beforeEach } : { connections: 16, durationSeconds: 10, warmupSeconds: 3, beforeEach };
  const runs = await interleavedHttpRuns(ctx, 'send', contenders, round);
  return [
    entryFrom(ctx, {
      key: 'send',
      name: 'Sending a message: sendMessage by an agent to one of 10,000 tickets',
      metric: 'requests/s',
      unit: 'req/s',
      higherIsBetter: true,
      parleyContender: 'parley',
      comparisonContender: 'floor',
      comparisonName: 'floor: node:http + pg, session check, then BEGIN, counters UPDATE … RETURNING, INSERT, COMMIT; MESSAGE_ADDED published',
      target: '≥ 0.6× the floor',
      meets: (p, f) => p.requestsPerSecond >= 0.6 * f.requestsPerSecond,
      runs,
      notes: [
        `${round.connections} connections, ${round.durationSeconds} s per run; tickets spread over all 10,000 so row locks rarely meet.`,
        'Parley does more per message than the floor, as the product must: the status workflow, the read cursor, notifications, the rollup triggers both pay.',
      ],
    }),
  ];
}
