import { GraphQLError } from 'graphql';
import { toClientError } from '../../src/shared/errors';

/**
 * Apollo wraps what it cannot use as an Error (a value thrown from another realm, such as a driver
 * error raised by Node's own socket code under jest, or a failing context function) in a GraphQLError
 * with no path and no original error, the same shape as graphql-js' validation errors. Its message is
 * the thrown value's, so it must be masked, not passed on as a validation message.
 */
it.each([
  'Unexpected error value: Error: select u.role from sessions s where s.id = $1 - read ECONNRESET',
  'Context creation failed: select u.role from sessions s - Connection terminated unexpectedly',
])('masks Apollo\'s wrapper of a thrown value: %s', (message) => {
  const masked = toClientError(new GraphQLError(message), { requestId: 'r1' });
  expect({ message: masked.message, extensions: masked.extensions }).toEqual({ message: 'Internal server error.', extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: 'r1' } });
});

it('keeps graphql-js\' own messages about the document', () => {
  const validation = toClientError(new GraphQLError('Cannot query field "nope" on type "Query".'));
  expect({ message: validation.message, code: validation.extensions.code }).toEqual({ message: 'Cannot query field "nope" on type "Query".', code: 'GRAPHQL_VALIDATION_FAILED' });
});
