import type { GraphQLFormattedError } from 'graphql';
import type { Logger } from 'pino';
import { formatClientError } from '../../shared/errors';
import type { SecuritySettings } from './settings';

/**
 * An error answer's body with the request id in every error that lacks one: for the answers Apollo
 * formats without a request's context (malformed requests). Anything but a JSON error list passes as it is.
 */
export function withRequestId(body: string, requestId: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return body;
  }
  const errors = (parsed as { errors?: unknown }).errors;
  if (!Array.isArray(errors)) return body;
  for (const error of errors as { extensions?: Record<string, unknown> }[]) {
    if (error && typeof error === 'object' && error.extensions?.requestId === undefined) error.extensions = { ...error.extensions, requestId };
  }
  return JSON.stringify(parsed);
}

export type ClientErrorFormatter = (error: unknown, options?: { requestId?: string; logger?: Logger }) => GraphQLFormattedError;

/** graphql-js appends `Did you mean "x"?` to validation and coercion errors: the schema, piece by piece. */
export function withoutSuggestions(message: string): string {
  return message.replace(/ ?Did you mean [^?]*\?/g, '');
}

/**
 * The one formatter for both transports: shared/errors masks what is not an application error, this
 * adds the request id (from the HTTP request scope when not given) and, where suggestions are off
 * (production), drops them.
 */
export function clientErrorFormatter(settings: Pick<SecuritySettings, 'fieldSuggestions'>): ClientErrorFormatter {
  return (error, options = {}) => {
    const formatted = formatClientError(error, { ...options, requestId: options.requestId });
    return settings.fieldSuggestions ? formatted : { ...formatted, message: withoutSuggestions(formatted.message) };
  };
}
