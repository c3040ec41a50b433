import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import {
  GraphQLError,
  getNamedType,
  getNullableType,
  isCompositeType,
  isListType,
  visit,
  BREAK,
  type DocumentNode,
  type GraphQLSchema,
  type ParseOptions,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import { fieldExtensionsEstimator, getComplexity, simpleEstimator, type ComplexityEstimator } from 'graphql-query-complexity';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../../shared/pagination/connection';
import type { SecuritySettings } from './settings';

type QueryLimits = SecuritySettings['query'];

/** How many items a list without page arguments (`faqs`, `history`, `readBy`) is assumed to hold. */
export const UNPAGED_LIST_SIZE = 10;

/**
 * Depth, aliases and directives, as graphql-armor's validation rules. They report rather than
 * throw (armor throws by default, out of graphql-js' validate), so a document breaking several
 * limits hears of all of them; both transports get them through `validationRulesFor`.
 */
export function queryShapeRules(limits: QueryLimits): ValidationRule[] {
  const report = [
    (context: ValidationContext | null, error: GraphQLError) =>
      // armor prefixes "Syntax Error:", but these are validation errors of a well-formed document.
      context?.reportError(new GraphQLError(error.message.replace(/^Syntax Error: /, ''))),
  ];
  const common = { onReject: report, propagateOnRejection: false, exposeLimits: true };
  return [
    // Depth counts fields, not fragment spreads: fragments are how well-behaved clients are written.
    maxDepthRule({ ...common, n: limits.maxDepth, flattenFragments: true }),
    maxAliasesRule({ ...common, n: limits.maxAliases }),
    maxDirectivesRule({ ...common, n: limits.maxDirectives }),
  ] as ValidationRule[];
}

/** graphql-js stops lexing past `maxTokens`, before any AST is built for a huge document. */
export function parseOptionsFor(limits: QueryLimits): ParseOptions {
  return { maxTokens: limits.maxTokens };
}

/**
 * Lists cost their page size: a field taking `first`/`last` multiplies what is selected inside it
 * by the page asked for (the default page when none is given, at most the largest page), the
 * `nodes`/`edges` inside a connection then count once, and a list without page arguments counts
 * `UNPAGED_LIST_SIZE` times.
 * Introspection is free here; whether it is allowed at all is decided apart.
 */
const pageSizeEstimator: ComplexityEstimator = ({ type, field, args, childComplexity }) => {
  if (type.name.startsWith('__') || field.name.startsWith('__')) return 0;
  if (field.args.some((arg) => arg.name === 'first' || arg.name === 'last')) {
    const size = [args.first, args.last].find((value): value is number => typeof value === 'number');
    // Past the largest page the argument is refused anyway (BAD_USER_INPUT), so it costs no more.
    return 1 + Math.min(Math.max(1, size ?? DEFAULT_PAGE_SIZE), MAX_PAGE_SIZE) * childComplexity;
  }
  if (isListType(getNullableType(field.type)) && isCompositeType(getNamedType(field.type))) {
    return 1 + (type.name.endsWith('Connection') ? 1 : UNPAGED_LIST_SIZE) * childComplexity;
  }
  return undefined;
};

const estimators: ComplexityEstimator[] = [
  // A field may declare its own: `@Field({ complexity: ({ args, childComplexity }) => ... })`.
  fieldExtensionsEstimator(),
  pageSizeEstimator,
  simpleEstimator({ defaultComplexity: 1 }),
];

export const QUERY_TOO_COMPLEX = 'GRAPHQL_VALIDATION_FAILED';
/** graphql-query-complexity's own guard against fragments that expand exponentially. */
const TOO_MANY_NODES = 'Query exceeds the maximum allowed number of nodes.';

/**
 * The estimated cost of the operation that will run, with its variables (so `first: $n` counts as
 * asked). Refuses with a validation error past `maxCost` or for a document whose fragments expand
 * beyond what can be estimated.
 */
export function operationCost(
  schema: GraphQLSchema,
  limits: QueryLimits,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Record<string, unknown> | null | undefined,
): number {
  let cost: number;
  try {
    cost = getComplexity({ schema, query: document, operationName: operationName ?? undefined, variables: variables ?? {}, estimators });
  } catch (error) {
    if (error instanceof GraphQLError && error.message !== TOO_MANY_NODES) {
      // Variables or arguments that do not coerce: the same answer execution would give, before it starts.
      throw new GraphQLError(error.message, { extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } } });
    }
    throw refusal(error instanceof GraphQLError ? 'The query expands to too many fields.' : 'The query could not be estimated.');
  }
  if (cost > limits.maxCost) throw refusal(`Query cost ${Math.ceil(cost)} exceeds the limit of ${limits.maxCost}; ask for smaller pages or fewer fields.`);
  return Math.max(1, Math.ceil(cost));
}

const refusal = (message: string) => new GraphQLError(message, { extensions: { code: QUERY_TOO_COMPLEX, http: { status: 400 } } });

/** True when any field of the document is `__schema` or `__type` (`__typename` is not introspection). */
export function usesIntrospection(document: DocumentNode): boolean {
  let found = false;
  visit(document, {
    Field(node) {
      if (node.name.value === '__schema' || node.name.value === '__type') {
        found = true;
        return BREAK;
      }
      return undefined;
    },
  });
  return found;
}

export function introspectionRefused(): GraphQLError {
  return new GraphQLError('Introspection is not allowed here.', { extensions: { code: 'GRAPHQL_VALIDATION_FAILED', http: { status: 400 } } });
}
