import fc from 'fast-check';
import {
  getNamedType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  type GraphQLInputType,
} from 'graphql';

/**
 * fast-check arbitraries for GraphQL input values, built from the schema: mostly well-typed values
 * (so the input reaches the services), with the edge cases hostile clients send (huge and negative
 * numbers, NUL bytes, SQL and markup, very long text, ids of the wrong kind) and, now and then, a
 * value of the wrong type altogether (so coercion is exercised too).
 */

/** Ids that exist (so deeper code runs) and ids that only look like them. */
export interface IdPool {
  real: string[];
}

const nasty = fc.constantFrom(
  '',
  ' ',
  "'; drop table users; --",
  '" or 1=1 --',
  '<script>alert(1)</script>',
  '../../../../etc/passwd',
  '%s%s%s%n',
  '\u0000',
  'nul\u0000inside',
  '\uD800',
  '🔥'.repeat(50),
  '\u202Eevil',
  'a'.repeat(5000),
  '{"$gt": ""}',
  '${jndi:ldap://x}',
  'null',
  'undefined',
  'NaN',
  '-1',
  'TKT-20260101-00001',
);

const text = fc.oneof(
  { weight: 5, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
  { weight: 3, arbitrary: nasty },
  { weight: 1, arbitrary: fc.string({ minLength: 200, maxLength: 20_000 }) },
  { weight: 2, arbitrary: fc.emailAddress() },
);

const int = fc.oneof(
  { weight: 5, arbitrary: fc.integer({ min: -5, max: 120 }) },
  { weight: 2, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.constantFrom(2 ** 31, -(2 ** 31) - 1, Number.MAX_SAFE_INTEGER, 1e21, 0.5) },
);

const float = fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constantFrom(0, -0, 1e308, -1e308, 5e-324));

const dateTime = fc.oneof(
  fc.date({ min: new Date('1970-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }).map((date) => date.toISOString()),
  fc.constantFrom('2026-02-30T00:00:00Z', 'yesterday', '0000-00-00T00:00:00Z', '+275760-09-13T00:00:00.000Z', '2026-01-01', ''),
);

const PREFIXES = ['tkt_', 'usr_', 'msg_', 'art_', 'faq_', 'agt_', 'ntf_', 'ses_', 'att_'];

function idArbitrary(pool: IdPool): fc.Arbitrary<string> {
  const fake = fc.tuple(fc.constantFrom(...PREFIXES), fc.stringMatching(/^[0-9a-z]{26}$/)).map(([prefix, rest]) => prefix + rest);
  return fc.oneof(
    { weight: 5, arbitrary: pool.real.length ? fc.constantFrom(...pool.real) : fake },
    { weight: 2, arbitrary: fake },
    { weight: 1, arbitrary: text },
  );
}

/** A value of some other type than asked: the variable coercion path. */
const wrongType = fc.oneof(fc.constant({}), fc.constant([]), fc.integer(), fc.boolean(), fc.string({ maxLength: 5 }), fc.constant({ nested: { deep: [1, 2, 3] } }));

function scalarArbitrary(name: string, pool: IdPool): fc.Arbitrary<unknown> {
  switch (name) {
    case 'Int':
      return int;
    case 'Float':
      return float;
    case 'Boolean':
      return fc.boolean();
    case 'ID':
      return idArbitrary(pool);
    case 'DateTime':
      return dateTime;
    default:
      return text;
  }
}

/** A value for `type`; `undefined` means "leave it out". */
export function valueFor(type: GraphQLInputType, pool: IdPool, depth = 0): fc.Arbitrary<unknown> {
  if (isNonNullType(type)) {
    return fc.oneof({ weight: 20, arbitrary: valueFor(type.ofType, pool, depth) }, { weight: 1, arbitrary: fc.constantFrom(null, undefined) }, { weight: 1, arbitrary: wrongType });
  }
  const present = presentValueFor(type, pool, depth);
  return fc.oneof({ weight: 3, arbitrary: present }, { weight: 1, arbitrary: fc.constantFrom(null, undefined) });
}

function presentValueFor(type: GraphQLInputType, pool: IdPool, depth: number): fc.Arbitrary<unknown> {
  if (isNonNullType(type)) return valueFor(type, pool, depth);
  if (isListType(type)) {
    return fc.oneof(
      { weight: 5, arbitrary: fc.array(valueFor(type.ofType, pool, depth + 1), { maxLength: 4 }) },
      { weight: 1, arbitrary: fc.array(valueFor(type.ofType, pool, depth + 1), { minLength: 50, maxLength: 300 }) },
      { weight: 1, arbitrary: wrongType },
    );
  }
  const named = getNamedType(type);
  if (isEnumType(named)) return fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...named.getValues().map((value) => value.name)) }, { weight: 1, arbitrary: text });
  if (isInputObjectType(named)) {
    if (depth > 3) return fc.constant({});
    const fields = Object.values(named.getFields());
    const shape = Object.fromEntries(fields.map((field) => [field.name, valueFor(field.type, pool, depth + 1)]));
    return fc.oneof(
      { weight: 10, arbitrary: fc.record(shape).map(withoutUndefined) },
      { weight: 1, arbitrary: fc.record({ ...shape, unexpectedField: text }).map(withoutUndefined) },
      { weight: 1, arbitrary: wrongType },
    );
  }
  return fc.oneof({ weight: 12, arbitrary: scalarArbitrary(named.name, pool) }, { weight: 1, arbitrary: wrongType });
}

function withoutUndefined(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined));
}

/** Words a GraphQL document is made of, to make documents that almost parse. */
export const graphqlToken = fc.oneof(
  fc.constantFrom('{', '}', '(', ')', '[', ']', ':', '$', '!', '@', '...', '=', '|', '&', ',', '"', '"""', '#', '\n'),
  fc.constantFrom('query', 'mutation', 'subscription', 'fragment', 'on', 'true', 'false', 'null', '__schema', '__type', '__typename', 'include', 'skip', 'deprecated'),
  fc.constantFrom('viewer', 'tickets', 'ticket', 'node', 'id', 'name', 'email', 'messages', 'nodes', 'first', 'login', 'input', 'Ticket', 'User', 'Int', 'String', 'ID'),
  fc.stringMatching(/^[_A-Za-z][_0-9A-Za-z]{0,8}$/),
  fc.integer().map(String),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map(String),
  fc.string({ maxLength: 10 }).map((value) => JSON.stringify(value)),
);

export const tokenSoup = fc.array(graphqlToken, { minLength: 1, maxLength: 60 }).map((tokens) => tokens.join(' '));

/** A valid document with a few characters deleted, inserted or swapped. */
export function mutated(document: string): fc.Arbitrary<string> {
  const edit = fc.tuple(fc.nat({ max: document.length }), fc.nat({ max: 8 }), fc.string({ maxLength: 4 }));
  return fc.array(edit, { minLength: 1, maxLength: 4 }).map((edits) =>
    edits.reduce((current, [at, remove, insert]) => current.slice(0, at) + insert + current.slice(at + remove), document),
  );
}

/** Selections nested far deeper than any limit, or wide with aliases. */
export const abusiveDocument = fc.oneof(
  fc.integer({ min: 20, max: 400 }).map((depth) => `{ viewer { ${'agent { user { '.repeat(depth)}id${' } }'.repeat(depth)} } }`),
  fc.integer({ min: 20, max: 500 }).map((count) => `{ ${Array.from({ length: count }, (_, i) => `a${i}: viewer { id }`).join(' ')} }`),
  fc.integer({ min: 20, max: 300 }).map((count) => `{ viewer ${'@include(if: true) '.repeat(count)}{ id } }`),
  fc.integer({ min: 100, max: 5000 }).map((count) => `{ ${'__typename '.repeat(count)}}`),
  fc.integer({ min: 10, max: 200 }).map((count) => `{ ${'['.repeat(count)} }`),
  fc.integer({ min: 100, max: 3000 }).map((count) => `query ${'($a: Int)'.repeat(count)} { __typename }`),
);

/** fast-check's report (seed, counterexample) with the failure itself, which v4 keeps as the cause. */
export function describeFailure(error: Error): string {
  const report = error.message.split('\n').filter((line) => /^Property|^\{ seed|^Counterexample/.test(line));
  return [...report, `Error: ${(error.cause as Error | undefined)?.message ?? error.message}`].join('\n');
}
