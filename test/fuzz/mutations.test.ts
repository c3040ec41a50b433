import fc from 'fast-check';
import { getNamedType, isLeafType, type GraphQLField } from 'graphql';
import { getSchema } from '../../src/server/schema';
import { createCast, type Cast } from '../support/factories';
import type { TestServer } from '../support/server';
import { leaks, post, startHardenedServer, type HardenedServer } from '../integration/hardening/support';
import { describeFailure, valueFor, type IdPool } from './arbitraries';

// Thousands of generated requests: seconds on a quiet machine, longer when CI shares its two cores.
jest.setTimeout(180_000);

/**
 * Every mutation of the served schema, with inputs generated from its argument types, as a random
 * actor. Whatever comes in: no 5xx, no crash, no unexpected (masked) error, nothing internal in a
 * message, and a mutation that answers with an error has written nothing (a row-level trigger on
 * every table counts committed writes).
 *
 * FUZZ_RUNS scales the runs per mutation (default 50; about 2,000 inputs in all); FUZZ_SEED
 * replays a failure fast-check reported.
 */

const RUNS = Number(process.env.FUZZ_RUNS ?? 50);
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined;
/** Mutations that hash a password (scrypt, ~50 ms of CPU each) get fewer runs. */
const HASHING = new Set(['signUp', 'login', 'createAgent']);
/** What a refused or invalid input may answer; INTERNAL_SERVER_ERROR is a bug. */
const EXPECTED_CODES = new Set(['BAD_USER_INPUT', 'UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND', 'CONFLICT', 'GRAPHQL_VALIDATION_FAILED']);

let server: HardenedServer;
let cast: Cast;
let pool: IdPool;
const tokens: (string | undefined)[] = [];

async function sql<T = unknown>(statement: string, params: unknown[] = []): Promise<T[]> {
  return server.app.services.orm.em.getConnection().execute(statement, params) as Promise<T[]>;
}

/** Committed row writes so far, counted by the triggers installed in beforeAll. */
async function writes(): Promise<number> {
  const [row] = await sql<{ n: string }>('select n from fuzz_writes');
  return Number(row.n);
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

  // Background work writes these on its own schedule (the job queue, the dashboard's hourly rollups).
  const tables = (await sql<{ tablename: string }>(`select tablename from pg_tables where schemaname = 'public'`)).filter(
    ({ tablename }) => !/^(jobs|mikro_orm_migrations)$|_stats_|^ticket_stats/.test(tablename),
  );
  await sql('create table fuzz_writes (n bigint not null)');
  await sql('insert into fuzz_writes values (0)');
  await sql('create table fuzz_write_log (n bigserial, table_name text, op text)');
  await sql(`create function fuzz_count_write() returns trigger language plpgsql as $$ begin update fuzz_writes set n = n + 1; insert into fuzz_write_log (table_name, op) values (TG_TABLE_NAME, TG_OP); return null; end $$`);
  for (const { tablename } of tables) {
    await sql(`create trigger fuzz_write after insert or update or delete on "${tablename}" for each row execute function fuzz_count_write()`);
  }
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
  for (const field of mutations) {
    const query = operationFor(field);
    const variables = fc.record(Object.fromEntries(field.args.map((arg) => [arg.name, valueFor(arg.type, pool)])));
    const actor = fc.constantFrom(...tokens.keys());
    await fc.assert(
      fc.asyncProperty(variables, actor, async (vars, who) => {
        inputs++;
        const before = await writes();
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
        if (answer.body.errors && answer.body.data?.[field.name] == null) {
          const after = await writes();
          if (after !== before) {
            const log = await sql<{ table_name: string; op: string }>('select table_name, op from fuzz_write_log order by n desc limit ?', [after - before]);
            throw new Error(`${label}: failed, yet ${after - before} row(s) were written: ${log.map((row) => `${row.op} ${row.table_name}`).join(', ')}`);
          }
        }
      }),
      { numRuns: HASHING.has(field.name) ? Math.ceil(RUNS / 4) : RUNS, seed: SEED, endOnFailure: true },
    ).catch((error: Error) => problems.push(describeFailure(error)));
  }
  // The server is still up and answering.
  expect((await post(server.url, { query: '{ __typename }' })).body).toEqual({ data: { __typename: 'Query' } });
  expect(problems).toEqual([]);
  expect(inputs).toBeGreaterThan(mutations.length * 10);
});
