import type { DocumentNode, GraphQLSchema } from 'graphql';
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
    if (this.settings.introspection === 'admins' && !isAdmin(operation.viewer) && usesIntrospection(operation.document)) {
      throw introspectionRefused();
    }
    const cost = operationCost(this.schema, this.settings.query, operation.document, operation.operationName, operation.variables);
    await this.limits.consume(this.limits.costPerIp, operation.ip, cost);
    if (operation.viewer) await this.limits.consume(this.limits.costPerUser, operation.viewer.userId, cost);
    return cost;
  }
}
