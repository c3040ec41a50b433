import { AsyncLocalStorage } from 'node:async_hooks';
import type { GraphQLFormattedError } from 'graphql';
import type { Logger } from 'pino';
import { formatClientError } from '../../shared/errors';
import type { SecuritySettings } from './settings';

/**
 * The HTTP request being served, for the places that format errors without its context: Apollo
 * formats errors of malformed requests (batches, bad bodies, CSRF) before any plugin sees them.
 */
export const requestScope = new AsyncLocalStorage<{ requestId: string }>();

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
    const formatted = formatClientError(error, { ...options, requestId: options.requestId ?? requestScope.getStore()?.requestId });
    return settings.fieldSuggestions ? formatted : { ...formatted, message: withoutSuggestions(formatted.message) };
  };
}
