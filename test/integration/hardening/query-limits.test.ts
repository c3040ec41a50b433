import fs from 'node:fs';
import path from 'node:path';
import { Kind, parse, specifiedRules, typeFromAST, validate, type DocumentNode, type GraphQLInputType, type TypeNode } from 'graphql';
import { getSchema } from '../../../src/server/schema';
import { operationCost, queryShapeRules } from '../../../src/server/security/query-limits';
import { securitySettings } from '../../../src/server/security/settings';
import { createCast, type Cast } from '../../support/factories';
import type { TestServer } from '../../support/server';
import { disposeWsClients, openRawSocket, waitFor } from '../../support/ws-client';
import { sampleValue } from './schema-values';
import { codesOf, post, startHardenedServer, type HardenedServer } from './support';

/**
 * Depth, aliases, directives, tokens and cost hold on HTTP and on websockets alike: graphql-ws
 * bypasses Apollo, so the same rules run in its onSubscribe.
 */

afterEach(() => disposeWsClients());

/** Sends `query` on a signed-in graphql-ws socket and returns the error or data it answers. */
async function overWebSocket(server: HardenedServer, token: string, query: string, variables?: Record<string, unknown>) {
  const raw = await openRawSocket(server.wsUrl, token);
  raw.send({ id: '1', type: 'subscribe', payload: { query, variables } });
  const answer = await waitFor(() => raw.messages.find((message) => message.id === '1' && (message.type === 'error' || message.type === 'next')));
  raw.dispose();
  if (answer.type === 'error') return { errors: answer.payload as { message: string; extensions: Record<string, unknown> }[] };
  return answer.payload as { data?: unknown; errors?: { message: string; extensions: Record<string, unknown> }[] };
}

const nest = (levels: number) => `{ viewer { ${'agent { user { '.repeat(levels)}id${' } }'.repeat(levels)} } }`;

describe('with tight limits', () => {
  let server: HardenedServer;
  let cast: Cast;
  beforeAll(async () => {
    server = await startHardenedServer({
      QUERY_MAX_DEPTH: '6',
      QUERY_MAX_ALIASES: '3',
      QUERY_MAX_DIRECTIVES: '3',
      QUERY_MAX_TOKENS: '300',
      QUERY_MAX_COST: '500',
      RATE_LIMIT_COST_PER_IP: '100000/1m',
      RATE_LIMIT_COST_PER_USER: '100000/1m',
    });
    cast = await createCast(server as unknown as TestServer);
  });
  afterAll(() => server.stop());

  const refusals: { name: string; query: string; variables?: Record<string, unknown>; code: string; message: RegExp }[] = [
    { name: 'depth', query: nest(3), code: 'GRAPHQL_VALIDATION_FAILED', message: /^Query depth limit of 6 exceeded, found 8\.$/ },
    {
      name: 'aliases',
      query: '{ a: viewer { id } b: viewer { id } c: viewer { id } d: viewer { id } }',
      code: 'GRAPHQL_VALIDATION_FAILED',
      message: /^Aliases limit of 3 exceeded, found 4\.$/,
    },
    {
      name: 'directives',
      query: '{ viewer @include(if: true) @skip(if: false) { id @include(if: true) name @skip(if: false) } }',
      code: 'GRAPHQL_VALIDATION_FAILED',
      message: /^Directives limit of 3 exceeded, found 4\.$/,
    },
    { name: 'tokens', query: `{ viewer { ${'id '.repeat(400)}} }`, code: 'GRAPHQL_PARSE_FAILED', message: /contains more tha[nt] 300 tokens/ },
    {
      name: 'cost of nested pages',
      query: '{ tickets(first: 50) { nodes { id messages(first: 50) { nodes { id } } } } }',
      code: 'GRAPHQL_VALIDATION_FAILED',
      message: /^Query cost \d+ exceeds the limit of 500/,
    },
    {
      name: 'cost with the page size in a variable',
      query: 'query ($n: Int) { tickets(first: $n) { nodes { id subject customer { name email } } } }',
      variables: { n: 100 },
      code: 'GRAPHQL_VALIDATION_FAILED',
      message: /^Query cost 601 exceeds the limit of 500/,
    },
    {
      // Each fragment doubles the one before: a handful of tokens, an exponential tree.
      name: 'fragments that expand exponentially',
      query: `query { viewer { ...F0 } }
        fragment F0 on User { ...F1 ...F1 } fragment F1 on User { ...F2 ...F2 } fragment F2 on User { ...F3 ...F3 }
        fragment F3 on User { ...F4 ...F4 } fragment F4 on User { ...F5 ...F5 } fragment F5 on User { ...F6 ...F6 }
        fragment F6 on User { ...F7 ...F7 } fragment F7 on User { ...F8 ...F8 } fragment F8 on User { ...F9 ...F9 }
        fragment F9 on User { id name email }`,
      code: 'GRAPHQL_VALIDATION_FAILED',
      message: /cost|too many fields/,
    },
  ];

  describe.each(refusals)('refuses a document over the $name limit', ({ query, variables, code, message }) => {
    it('over HTTP, with 400 and nothing executed', async () => {
      const answer = await post(server.url, { query, variables }, { token: cast.agent.token });
      if (query.includes('first: $n')) {
        // The same document with a small page goes through: the variable is what counted.
        const small = await post(server.url, { query, variables: { n: 5 } }, { token: cast.agent.token });
        expect(small.body.errors).toBeUndefined();
      }
      expect(answer.status).toBe(400);
      expect(answer.body.data).toBeUndefined();
      expect(codesOf(answer)).toEqual([code]);
      expect(answer.body.errors![0].message).toMatch(message);
      expect(answer.body.errors![0].extensions?.requestId).toBe(answer.headers.get('x-request-id'));
    });

    it('over websockets, as an error for that operation', async () => {
      const answer = await overWebSocket(server, cast.agent.token, query, variables);
      expect(answer.errors?.map((error) => error.extensions.code)).toEqual([code]);
      expect(answer.errors![0].message).toMatch(message);
      expect(answer.errors![0].extensions.requestId).toEqual(expect.any(String));
    });
  });

  it('estimates an operation with variables with each request’s values, however often the document comes', async () => {
    const query = 'query Page($n: Int) { tickets(first: $n) { nodes { id subject customer { name email } } } }';
    const ask = (n: number) => post(server.url, { query, variables: { n }, operationName: 'Page' }, { token: cast.agent.token });
    // A small page first: an estimate kept with the document would let the large one through.
    expect((await ask(5)).body.errors).toBeUndefined();
    expect(codesOf(await ask(100))).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect((await ask(5)).body.errors).toBeUndefined();
  });

  it('refuses a document over the cost every time it comes, with or without an operation name', async () => {
    const query = 'query Big { tickets(first: 50) { nodes { id messages(first: 50) { nodes { id } } } } } query Small { viewer { id } }';
    for (let i = 0; i < 2; i++) {
      expect(codesOf(await post(server.url, { query, operationName: 'Big' }, { token: cast.agent.token }))).toEqual(['GRAPHQL_VALIDATION_FAILED']);
      expect((await post(server.url, { query, operationName: 'Small' }, { token: cast.agent.token })).body.errors).toBeUndefined();
    }
  });

  it('refuses text that is not well-formed, in a literal or a variable, every time the document comes', async () => {
    const literal = 'mutation { sendMessage(input: { ticketId: "tkt_missing", body: "a\\u0000b" }) { message { id } } }';
    const withVariable = 'mutation ($body: String!) { sendMessage(input: { ticketId: "tkt_missing", body: $body }) { message { id } } }';
    for (let i = 0; i < 2; i++) {
      expect(codesOf(await post(server.url, { query: literal }, { token: cast.agent.token }))).toEqual(['BAD_USER_INPUT']);
      expect(codesOf(await post(server.url, { query: withVariable, variables: { body: 'fine' } }, { token: cast.agent.token }))).toEqual(['NOT_FOUND']);
      expect(codesOf(await post(server.url, { query: withVariable, variables: { body: 'x\uD800' } }, { token: cast.agent.token }))).toEqual(['BAD_USER_INPUT']);
    }
  });

  it('lets a document within every limit through on both transports', async () => {
    const query = '{ a: viewer { id } b: viewer { name } tickets(first: 5) { nodes { id messages(first: 10) { nodes { id } } } } }';
    const http = await post(server.url, { query }, { token: cast.agent.token });
    expect(http.status).toBe(200);
    expect(http.body.errors).toBeUndefined();
    const ws = await overWebSocket(server, cast.agent.token, query);
    expect(ws.errors).toBeUndefined();
  });

  it('refuses a subscription over the limits too', async () => {
    const answer = await overWebSocket(
      server,
      cast.agent.token,
      'subscription { ticketCreated { customer { agent { user { agent { user { agent { user { id } } } } } } } } }',
    );
    expect(answer.errors?.[0].message).toMatch(/^Query depth limit of 6 exceeded/);
  });
});

describe('introspection and suggestions in production', () => {
  let server: HardenedServer;
  let cast: Cast;
  beforeAll(async () => {
    server = await startHardenedServer({ NODE_ENV: 'production' });
    cast = await createCast(server as unknown as TestServer);
  });
  afterAll(() => server.stop());

  const schemaQuery = '{ __schema { queryType { name } } }';
  const typeQuery = '{ __type(name: "Ticket") { fields { name } } }';

  it.each(['anonymous', 'customerA', 'agent', 'supervisor'] as const)('refuses introspection to %s on both transports', async (who) => {
    const token = who === 'anonymous' ? undefined : cast[who].token;
    for (const query of [schemaQuery, typeQuery]) {
      const answer = await post(server.url, { query }, { token });
      expect({ status: answer.status, codes: codesOf(answer), data: answer.body.data }).toEqual({
        status: 400,
        codes: ['GRAPHQL_VALIDATION_FAILED'],
        data: undefined,
      });
      expect(answer.body.errors![0].message).toBe('Introspection is not allowed here.');
    }
    if (token) {
      const ws = await overWebSocket(server, token, schemaQuery);
      expect(ws.errors?.[0].message).toBe('Introspection is not allowed here.');
    }
  });

  it('allows introspection to admins (the explorer) on both transports', async () => {
    const http = await post(server.url, { query: schemaQuery }, { token: cast.admin.token });
    expect(http.body).toEqual({ data: { __schema: { queryType: { name: 'Query' } } } });
    const ws = await overWebSocket(server, cast.admin.token, typeQuery);
    expect(ws.errors).toBeUndefined();
  });

  it('still answers __typename to everyone', async () => {
    expect((await post(server.url, { query: '{ __typename }' })).body).toEqual({ data: { __typename: 'Query' } });
  });

  it('leaves out "Did you mean" from errors on both transports', async () => {
    const cases = ['{ viewr { id } }', '{ viewer { nmae } }', '{ tickets(frist: 1) { totalCount } }', '{ tickets(orderBy: { field: CREATED, direction: ASC }) { totalCount } }'];
    for (const query of cases) {
      const answer = await post(server.url, { query }, { token: cast.agent.token });
      expect(answer.status).toBe(400);
      expect(answer.text).not.toMatch(/Did you mean/);
      const ws = await overWebSocket(server, cast.agent.token, query);
      expect(JSON.stringify(ws)).not.toMatch(/Did you mean/);
    }
    const variables = await post(server.url, { query: 'query ($f: TicketFilter) { tickets(filter: $f) { totalCount } }', variables: { f: { statuss: ['OPEN'] } } }, { token: cast.agent.token });
    expect(codesOf(variables)).toEqual(['BAD_USER_INPUT']);
    expect(variables.text).not.toMatch(/Did you mean/);
  });
});

describe('outside production', () => {
  let server: HardenedServer;
  beforeAll(async () => {
    server = await startHardenedServer({ NODE_ENV: 'development' });
  });
  afterAll(() => server.stop());

  it('allows introspection to anyone and keeps suggestions', async () => {
    expect((await post(server.url, { query: '{ __schema { queryType { name } } }' })).body.data).toEqual({ __schema: { queryType: { name: 'Query' } } });
    expect((await post(server.url, { query: '{ viewr { id } }' })).body.errors?.[0].message).toMatch(/Did you mean "viewer"\?/);
  });
});

describe('the operations clients ship', () => {
  const dir = path.resolve(__dirname, '../../operations');
  const files = fs.readdirSync(dir).filter((file) => file.endsWith('.graphql'));
  const limits = securitySettings({}, 'production').query;

  it('all fit the production limits with the default page sizes', async () => {
    const schema = await getSchema();
    const problems: string[] = [];
    for (const file of files) {
      const document = parse(fs.readFileSync(path.join(dir, file), 'utf8'), { maxTokens: limits.maxTokens });
      const fragments = document.definitions.filter((definition) => definition.kind === Kind.FRAGMENT_DEFINITION);
      for (const operation of document.definitions) {
        if (operation.kind !== Kind.OPERATION_DEFINITION) continue;
        const single: DocumentNode = { kind: Kind.DOCUMENT, definitions: [operation, ...fragments] };
        const errors = validate(schema, single, [...specifiedRules, ...queryShapeRules(limits)]).filter(
          (error) => !/is never used|Unknown (fragment|type|field|argument)|Cannot query field/.test(error.message),
        );
        problems.push(...errors.map((error) => `${file} ${operation.name?.value}: ${error.message}`));
        // Page sizes left to their defaults; required variables get the smallest valid value.
        const variables = Object.fromEntries(
          (operation.variableDefinitions ?? []).map((definition) => [definition.variable.name.value, sampleValue(typeFromAST(schema, definition.type as TypeNode) as GraphQLInputType)]),
        );
        try {
          operationCost(schema, limits, single, operation.name?.value, variables);
        } catch (error) {
          problems.push(`${file} ${operation.name?.value}: ${(error as Error).message}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });
});
