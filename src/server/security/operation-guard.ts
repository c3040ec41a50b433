import { GraphQLError, Kind, visit, BREAK, type DocumentNode, type GraphQLSchema } from 'graphql';
import { isAdmin, type Viewer } from '../../shared/auth/viewer';
import { introspectionRefused, operationCost, usesIntrospection } from './query-limits';
import type { RateLimits } from './rate-limits';
import type { SecuritySettings } from './settings';

export interface OperationRequest {
  document: DocumentNode;
  operationName?: string | null;
  variables?: Record<string, unknown> | null;
  viewer: Viewer | null;
  ip: string;
}

/**
 * What every operation passes once it is parsed and validated, on HTTP (Apollo's
 * didResolveOperation) and websockets (graphql-ws' onSubscribe) alike: introspection only where
 * allowed, a cost within the limit, and that cost paid from the IP's and the user's budgets.
 */
export class OperationGuard {
  constructor(
    private readonly schema: GraphQLSchema,
    private readonly settings: SecuritySettings,
    private readonly limits: RateLimits,
  ) {}

  /** Throws a GraphQLError (refused) or RATE_LIMITED; returns the cost that was paid. */
  async admit(operation: OperationRequest): Promise<number> {
    const facts = factsOf(operation.document);
    assertWellFormedText(facts, operation.variables);
    if (this.settings.introspection === 'admins' && !isAdmin(operation.viewer) && facts.usesIntrospection) {
      throw introspectionRefused();
    }
    const cost = this.costOf(facts, operation);
    // Both budgets in one wait: two Redis round trips side by side rather than one after the other.
    await Promise.all([
      this.limits.consume(this.limits.costPerIp, operation.ip, cost),
      operation.viewer ? this.limits.consume(this.limits.costPerUser, operation.viewer.userId, cost) : undefined,
    ]);
    return cost;
  }

  /**
   * An operation without variables costs the same every time: its estimate is kept with the parsed
   * document (Apollo and the websocket server keep those per query text). One with variables is
   * estimated with them each time (`first: $n` counts as asked).
   */
  private costOf(facts: DocumentFacts, operation: OperationRequest): number {
    const name = operation.operationName ?? '';
    const known = facts.costs.get(name);
    if (typeof known === 'number') return known;
    const cost = operationCost(this.schema, this.settings.query, operation.document, operation.operationName, operation.variables);
    if (known === undefined) facts.costs.set(name, operationHasVariables(operation.document, operation.operationName) ? null : cost);
    return cost;
  }
}

/** What the guard learns of a parsed document once: it does not change between requests. */
interface DocumentFacts {
  /** A string literal in the document is not well-formed text. */
  malformedLiteral: boolean;
  usesIntrospection: boolean;
  /** By operation name ('' for an anonymous one): its estimate, or null for one with variables (estimated each time). */
  costs: Map<string, number | null>;
}

const documentFacts = new WeakMap<DocumentNode, DocumentFacts>();

function factsOf(document: DocumentNode): DocumentFacts {
  let facts = documentFacts.get(document);
  if (!facts) {
    facts = { malformedLiteral: hasMalformedLiteral(document), usesIntrospection: usesIntrospection(document), costs: new Map() };
    documentFacts.set(document, facts);
  }
  return facts;
}

/** Whether the operation that will run (the named one, or the only one) declares variables. */
function operationHasVariables(document: DocumentNode, operationName: string | null | undefined): boolean {
  const operations = document.definitions.filter((definition) => definition.kind === Kind.OPERATION_DEFINITION);
  const operation = operationName ? operations.find((definition) => definition.name?.value === operationName) : operations[0];
  // No such operation: execution refuses it anyway; nothing is kept.
  return !operation || (operation.variableDefinitions?.length ?? 0) > 0;
}

/** A NUL, or half of a surrogate pair: text PostgreSQL refuses, or that would be stored altered. */
const MALFORMED_TEXT = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function malformedIn(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return MALFORMED_TEXT.test(value);
  if (depth > 50 || !value || typeof value !== 'object') return false;
  return Object.values(value).some((child) => malformedIn(child, depth + 1));
}

function hasMalformedLiteral(document: DocumentNode): boolean {
  let malformed = false;
  visit(document, {
    [Kind.STRING]: (node) => {
      if (MALFORMED_TEXT.test(node.value)) {
        malformed = true;
        return BREAK;
      }
      return undefined;
    },
  });
  return malformed;
}

/**
 * Refuses text that is not well-formed Unicode, in variables and in the document's own string
 * literals, before any resolver sees it: otherwise it fails deep inside a validator or the
 * database and comes back as an internal error.
 */
function assertWellFormedText(facts: DocumentFacts, variables: Record<string, unknown> | null | undefined): void {
  if (facts.malformedLiteral || malformedIn(variables)) {
    throw new GraphQLError('Text may not contain NUL characters or unpaired surrogates.', { extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } } });
  }
}
