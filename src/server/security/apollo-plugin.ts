import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, OperationTypeNode } from 'graphql';
import type { RequestContext } from '../context';
import type { OperationGuard } from './operation-guard';
import { requestOrigin } from './request-guard';

/**
 * The operation guard on HTTP, once Apollo has parsed and validated the document (a refusal there
 * answers 400, RATE_LIMITED 429); and any RATE_LIMITED error, wherever it was raised (a login
 * backoff, sendMessage...), turns the answer into a 429 with Retry-After.
 */
export function securityApolloPlugin(guard: OperationGuard): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, operation, operationName, request, contextValue }) {
          // Over HTTP a subscription would run its root resolver once as a query and fail inside.
          if (operation?.operation === OperationTypeNode.SUBSCRIPTION) {
            throw new GraphQLError('Subscriptions run over websockets: connect with graphql-ws to this same /graphql endpoint.', {
              extensions: { code: 'BAD_REQUEST', http: { status: 400 } },
            });
          }
          const ip = requestOrigin(contextValue)?.ip ?? 'unknown';
          await guard.admit({ document, operationName, variables: request.variables, viewer: contextValue.viewer, ip });
        },
        async willSendResponse({ response }) {
          if (response.body.kind !== 'single') return;
          const limited = response.body.singleResult.errors?.filter((error) => error.extensions?.code === 'RATE_LIMITED') ?? [];
          if (limited.length === 0) return;
          const retryAfter = Math.max(...limited.map((error) => Number(error.extensions?.retryAfter) || 1));
          response.http.status = 429;
          response.http.headers.set('retry-after', String(retryAfter));
        },
      };
    },
  };
}
