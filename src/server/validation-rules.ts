import type { ValidationRule } from 'graphql';
import type { Config } from '../config';
import { queryShapeRules } from './security/query-limits';

/**
 * Validation rules beyond graphql-js' own, in one place for both transports: Apollo takes them as
 * `validationRules` (HTTP), and graphql-ws' `onSubscribe` validates with them (websocket), since
 * graphql-ws bypasses Apollo. The hardening work (depth and cost limits) adds its rules here.
 */
export const extraValidationRules: ValidationRule[] = [];

/**
 * The rules above plus the configured query limits (depth, aliases, directives), which depend on
 * the app's config. Cost needs the variables, so it is checked after validation (security/).
 */
export function validationRulesFor(config: Config): ValidationRule[] {
  return [...extraValidationRules, ...queryShapeRules(config.security.query)];
}
