import fc from 'fast-check';
import { getNamedType, isLeafType, type GraphQLField } from 'graphql';
import { getSchema } from '../../src/server/schema';
import { createCast, type Cast } from '../support/factories';
import type { TestServer } from '../support/server';
import { installWriteCounter, leaks, post, startHardenedServer, type HardenedServer, type WriteCounter } from '../integration/hardening/support';
import { describeFailure, valueFor, type IdPool } from './arbitraries';

// Thousands of generated requests: seconds on a quiet machine, longer when CI shares its two cores.
jest.setTimeout(180_000);

/**
 * Every mutation of the served schema, with inputs generated from its argument types, as a random
 * actor. Whatever comes in: no 5xx, no crash, no unexpected (masked) error, nothing internal in a
 * message, and a mutation that answers with an error has written nothing (row-level triggers on
 * every table count committed writes).
 *
 * FUZZ_RUNS sets the runs per mutation (default 40, a quarter for those that hash a password:
 * about 1,300 inputs for the 34 mutations of today, in about 20 s on an idle machine);
 * FUZZ_SEED replays a failure fast-check reported.
 */

const RUNS = Number(process.env.FUZZ_RUNS ?? 40);
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined;
/** Mutations that hash a password (scrypt, ~50 ms of CPU each) get fewer runs. */
const HASHING = new Set(['signUp', 'login', 'createAgent']);
/** What a refused or invalid input may answer; INTERNAL_SERVER_ERROR is a bug. */
const EXPECTED_CODES = new Set(['BAD_USER_INPUT', 'UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND', 'CONFLICT', 'GRAPHQL_VALIDATION_FAILED']);

let server: HardenedServer;
let cast: Cast;
let pool: IdPool;
let writes: WriteCounter;
const tokens: (string | undefined)[] = [];

async function sql<T = unknown>(statement: string, params: unknown[] = []): Promise<T[]> {
  return server.app.services.orm.em.getConnection().execute(statement, params) as Promise<T[]>;
}


beforeAll(async () => {
  server = await startHardenedServer({ AUTO_ASSIGN: 'false' });
  cast = await createCast(server as unknown as TestServer);
  tokens.push(undefined, cast.customerA.token, cast.customerB.token, cast.agent.token, cast.admin.token);
  // Something of every kind to aim at, so generated ids reach the services' deeper paths.
  /** The id in `{ field: { object: { id } } }`, the shape of every create payload. */
  const created = async (token: string, query: string) => {
    const data = (await post(server.url, { query }, { token })).body.data!;
    const payload = Object.values(data)[0] as Record<string, { id: string }>;
    return Object.values(payload)[0].id;
  };
  const ticket = await created(cast.customerA.token, 'mutation { createTicket(input: { subject: "Fuzz", description: "d" }) { ticket { id } } }');
  const message = await created(cast.customerA.token, `mutation { sendMessage(input: { ticketId: "${ticket}", body: "hi" }) { message { id } } }`);
  const article = await created(cast.agent.token, 'mutation { createArticle(input: { title: "Fuzz", body: "b" }) { article { id } } }');
  const faq = await created(cast.agent.token, 'mutation { createFaq(input: { question: "Fuzz?", answer: "a", published: true }) { faq { id } } }');
  // A second agent to be edited, so the fuzzer never deactivates the actors it signs in as.
  const victim = await created(cast.admin.token, 'mutation { createAgent(input: { name: "Victim", email: "victim@example.test", password: "a long password", role: AGENT }) { agent { id } } }');
  const notifications = await sql<{ id: string }>('select id from notifications limit 3');
  pool = { real: [ticket, message, article, faq, victim, cast.customerB.user.id, ...notifications.map((row) => row.id)] };

  writes = await installWriteCounter(server);
});
afterAll(() => server?.stop());

function operationFor(field: GraphQLField<unknown, unknown>): string {
  const definitions = field.args.map((arg) => `$${arg.name}: ${arg.type}`).join(', ');
  const args = field.args.map((arg) => `${arg.name}: $${arg.name}`).join(', ');
  const selection = isLeafType(getNamedType(field.type)) ? '' : '{ __typename }';
  return `mutation${definitions ? `(${definitions})` : ''} { ${field.name}${args ? `(${args})` : ''} ${selection} }`;
}

it('every mutation survives generated input without a 5xx, a masked bug, a leak or a partial write', async () => {
  const schema = await getSchema();
  const mutations = Object.values(schema.getMutationType()!.getFields());
  const problems: string[] = [];
  let inputs = 0;
  let written = await writes.count();
  for (const field of mutations) {
    const query = operationFor(field);
    const variables = fc.record(Object.fromEntries(field.args.map((arg) => [arg.name, valueFor(arg.type, pool)])));
    const actor = fc.constantFrom(...tokens.keys());
    await fc.assert(
      fc.asyncProperty(variables, actor, async (vars, who) => {
        inputs++;
        // The count after the previous input: requests run one at a time, so only this one writes now.
        const before = written;
        const answer = await post(server.url, { query, variables: vars }, { token: tokens[who] });
        const label = `${field.name} ${JSON.stringify(vars).slice(0, 300)} as #${who}`;
        if (answer.status >= 500) throw new Error(`${label}: HTTP ${answer.status} ${answer.text.slice(0, 300)}`);
        if (!answer.body.data && !answer.body.errors) throw new Error(`${label}: no GraphQL answer: ${answer.text.slice(0, 300)}`);
        for (const error of answer.body.errors ?? []) {
          const code = String(error.extensions?.code);
          if (!EXPECTED_CODES.has(code)) throw new Error(`${label}: ${code}: ${error.message}`);
          const leak = leaks(error.message);
          if (leak) throw new Error(`${label}: leaks (${leak}): ${error.message}`);
          if (!error.extensions?.requestId) throw new Error(`${label}: an error without a request id`);
        }
        written = await writes.count();
        if (answer.body.errors && answer.body.data?.[field.name] == null && written !== before) {
          throw new Error(`${label}: failed, yet wrote ${(await writes.last(written - before)).join(', ')}`);
        }
      }),
      { numRuns: HASHING.has(field.name) ? Math.ceil(RUNS / 4) : RUNS, seed: SEED, endOnFailure: true },
    ).catch((error: Error) => problems.push(describeFailure(error)));
  }
  // The server is still up and answering.
  expect((await post(server.url, { query: '{ __typename }' })).body).toEqual({ data: { __typename: 'Query' } });
  expect(problems).toEqual([]);
  expect(inputs).toBeGreaterThan(mutations.length * 10);
}, 180_000);
