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
    assertWellFormedText(operation.document, operation.variables);
    if (this.settings.introspection === 'admins' && !isAdmin(operation.viewer) && usesIntrospection(operation.document)) {
      throw introspectionRefused();
    }
    const cost = operationCost(this.schema, this.settings.query, operation.document, operation.operationName, operation.variables);
    await this.limits.consume(this.limits.costPerIp, operation.ip, cost);
    if (operation.viewer) await this.limits.consume(this.limits.costPerUser, operation.viewer.userId, cost);
    return cost;
  }
}

/** A NUL, or half of a surrogate pair: text PostgreSQL refuses, or that would be stored altered. */
const MALFORMED_TEXT = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function malformedIn(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return MALFORMED_TEXT.test(value);
  if (depth > 50 || !value || typeof value !== 'object') return false;
  return Object.values(value).some((child) => malformedIn(child, depth + 1));
}

/**
 * Refuses text that is not well-formed Unicode, in variables and in the document's own string
 * literals, before any resolver sees it: otherwise it fails deep inside a validator or the
 * database and comes back as an internal error.
 */
function assertWellFormedText(document: DocumentNode, variables: Record<string, unknown> | null | undefined): void {
  let malformed = malformedIn(variables);
  if (!malformed) {
    visit(document, {
      [Kind.STRING]: (node) => {
        if (MALFORMED_TEXT.test(node.value)) {
          malformed = true;
          return BREAK;
        }
        return undefined;
      },
    });
  }
  if (malformed) {
    throw new GraphQLError('Text may not contain NUL characters or unpaired surrogates.', { extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } } });
  }
}
