import type { ValidationRule } from 'graphql';

/**
 * Validation rules beyond graphql-js' own, in one place for both transports: Apollo takes them as
 * `validationRules` (HTTP), and graphql-ws' `onSubscribe` validates with them (websocket), since
 * graphql-ws bypasses Apollo. The hardening work (depth and cost limits) adds its rules here.
 */
export const extraValidationRules: ValidationRule[] = [];
