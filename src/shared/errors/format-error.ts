import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { NotFoundError, UniqueConstraintViolationException } from '@mikro-orm/core';
import type { ValidationError as ClassValidatorError } from 'class-validator';
import type { Logger } from 'pino';
import { AppError } from './app-error';

/** Codes that graphql-js, Apollo and type-graphql assign themselves and that are safe to show. */
const PASS_THROUGH_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
  'BAD_REQUEST',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  'RATE_LIMITED',
]);

/**
 * Apollo's wrappers for whatever else was thrown (a non-Error value, a failed context function):
 * they carry no path and no original error, like graphql-js' own errors, but their message is the
 * thrown value's, which may hold SQL or driver details.
 */
const APOLLO_WRAPPED = /^(Unexpected error value|Context creation failed): /;

interface FieldProblem {
  field: string;
  message: string;
}

function flattenValidationErrors(errors: ClassValidatorError[], prefix = ''): FieldProblem[] {
  // type-graphql passes on whatever validation threw: a validator that crashed leaves an Error here.
  if (!Array.isArray(errors)) return [];
  return errors.flatMap((error) => {
    const field = prefix ? `${prefix}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({ field, message }));
    return [...own, ...flattenValidationErrors(error.children ?? [], field)];
  });
}

/**
 * Turns whatever a resolver threw into the error a client sees: application errors keep their
 * code, validation errors name their fields, ORM errors map to NOT_FOUND / CONFLICT, and
 * everything else is masked as INTERNAL_SERVER_ERROR (logged in full with the request id).
 */
export function toClientError(
  error: unknown,
  options: { requestId?: string; logger?: Logger; path?: readonly (string | number)[] } = {},
): GraphQLError {
  const clientError = maskedError(error, options);
  // Errors of compiled operations (server/executor.ts) carry their locations without AST nodes.
  if (!clientError.locations && error instanceof GraphQLError && error.locations?.length) {
    (clientError as { locations?: GraphQLError['locations'] }).locations = error.locations;
  }
  return clientError;
}

function maskedError(error: unknown, options: { requestId?: string; logger?: Logger; path?: readonly (string | number)[] }): GraphQLError {
  const original = error instanceof GraphQLError && error.originalError ? error.originalError : error;
  const base = error instanceof GraphQLError ? error : undefined;
  const location = { nodes: base?.nodes, path: base?.path ?? options.path };
  const withRequestId = (extensions: Record<string, unknown>) =>
    options.requestId ? { ...extensions, requestId: options.requestId } : extensions;

  if (original instanceof AppError) {
    return new GraphQLError(original.message, {
      ...location,
      extensions: withRequestId({ ...original.extensions, code: original.code }),
    });
  }
  if (original instanceof GraphQLError && original.extensions?.validationErrors) {
    const problems = flattenValidationErrors(original.extensions.validationErrors as ClassValidatorError[]);
    const first = problems[0];
    const message = first ? `Invalid ${first.field}: ${first.message}` : 'Invalid input.';
    return new GraphQLError(message, {
      ...location,
      extensions: withRequestId({ code: 'BAD_USER_INPUT', field: first?.field, problems }),
    });
  }
  if (original instanceof NotFoundError) {
    return new GraphQLError('Not found.', { ...location, extensions: withRequestId({ code: 'NOT_FOUND' }) });
  }
  if (original instanceof UniqueConstraintViolationException) {
    return new GraphQLError('This conflicts with existing data.', {
      ...location,
      extensions: withRequestId({ code: 'CONFLICT' }),
    });
  }
  const code = (base?.extensions?.code ?? (original instanceof GraphQLError ? original.extensions?.code : undefined)) as string | undefined;
  if (code && PASS_THROUGH_CODES.has(code)) {
    return new GraphQLError(base?.message ?? (original as Error).message, { ...location, extensions: withRequestId({ code }) });
  }
  if (base && !base.path && code !== 'INTERNAL_SERVER_ERROR' && !APOLLO_WRAPPED.test(base.message) && (!base.originalError || base.originalError instanceof GraphQLError)) {
    // Raised by graphql-js before any resolver ran (parsing, validation, variable coercion):
    // the message describes the client's document or variables, so it is safe and useful.
    const inputProblem = /^Variable "\$/.test(base.message);
    return new GraphQLError(base.message, {
      ...location,
      extensions: withRequestId({ code: inputProblem ? 'BAD_USER_INPUT' : 'GRAPHQL_VALIDATION_FAILED' }),
    });
  }
  // The request's child logger already carries its requestId.
  options.logger?.error({ err: original, path: location.path }, 'unexpected error');
  return new GraphQLError('Internal server error.', {
    ...location,
    extensions: withRequestId({ code: 'INTERNAL_SERVER_ERROR' }),
  });
}

/** The formatted shape, for Apollo's `formatError` and for graphql-ws' `onNext` masking. */
export function formatClientError(
  error: unknown,
  options: { requestId?: string; logger?: Logger } = {},
): GraphQLFormattedError {
  return toClientError(error, options).toJSON();
}
