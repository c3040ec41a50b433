import { validateOrReject, type ValidatorOptions } from 'class-validator';
import { LRUCache } from 'lru-cache';
import { ArgumentValidationError, type ValidatorFn } from 'type-graphql';

/** What type-graphql passes class-validator for our settings (its validateArg, with skipMissingProperties defaulted on). */
const VALIDATOR_OPTIONS: ValidatorOptions = {
  forbidUnknownValues: false,
  skipMissingProperties: true,
  validationError: { target: false, value: false },
};

/** Longer values (a message body, say) are rarely repeated: not worth remembering. */
const MAX_KEY_LENGTH = 512;

/**
 * Argument validation as type-graphql does it by default (class-validator on each argument object;
 * ArgumentValidationError on failure, which format-error turns into BAD_USER_INPUT with problems),
 * remembering the arguments that passed. A field's arguments are validated once per parent: a list
 * page of 50 tickets validated `messages(last: 20)` 50 times, each through a dynamic require and
 * class-validator's metadata walk. Validation is a function of the argument's class and its values,
 * and GraphQL fixes each value's type, so a class with the same values serialized the same passes
 * again. Failures are not remembered.
 */
export function rememberingArgumentValidation(): ValidatorFn {
  // Per argument class (names may repeat across modules), its values that passed.
  const passedByType = new Map<Function, LRUCache<string, true>>();
  return async (argValue: unknown, argType: unknown) => {
    if (argValue === null || typeof argValue !== 'object') return;
    let passed: LRUCache<string, true> | undefined;
    let key: string | null = null;
    if (typeof argType === 'function') {
      const serialized = JSON.stringify(argValue);
      if (serialized.length <= MAX_KEY_LENGTH) {
        key = serialized;
        passed = passedByType.get(argType);
        if (!passed) passedByType.set(argType, (passed = new LRUCache<string, true>({ max: 500 })));
        if (passed.has(key)) return;
      }
    }
    try {
      if (Array.isArray(argValue)) {
        await Promise.all(argValue.filter((item) => item !== null && typeof item === 'object').map((item) => validateOrReject(item as object, VALIDATOR_OPTIONS)));
      } else {
        await validateOrReject(argValue, VALIDATOR_OPTIONS);
      }
    } catch (errors) {
      throw new ArgumentValidationError(errors as never);
    }
    if (key !== null) passed!.set(key, true);
  };
}
