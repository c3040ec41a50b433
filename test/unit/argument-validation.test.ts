import 'reflect-metadata';
import { ArgumentValidationError } from 'type-graphql';
import { ConnectionArgs } from '../../src/shared/pagination/connection';
import { rememberingArgumentValidation } from '../../src/server/argument-validation';

const args = (values: Partial<ConnectionArgs>) => Object.assign(new ConnectionArgs(), values);
const resolverData = {} as never;

describe('argument validation', () => {
  it('refuses invalid arguments every time, with the errors type-graphql reports', async () => {
    const validate = rememberingArgumentValidation();
    for (let i = 0; i < 2; i++) {
      const failure = await Promise.resolve(validate(args({ first: 1000 }), ConnectionArgs, resolverData)).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(ArgumentValidationError);
      expect((failure as ArgumentValidationError).extensions.validationErrors).toEqual([expect.objectContaining({ property: 'first' })]);
    }
  });

  it('passes valid arguments, and again from memory, without mixing up values', async () => {
    const validate = rememberingArgumentValidation();
    await expect(validate(args({ first: 20 }), ConnectionArgs, resolverData)).resolves.toBeUndefined();
    await expect(validate(args({ first: 20 }), ConnectionArgs, resolverData)).resolves.toBeUndefined();
    await expect(validate(args({ first: 101 }), ConnectionArgs, resolverData)).rejects.toBeInstanceOf(ArgumentValidationError);
    await expect(validate('a scalar', String, resolverData)).resolves.toBeUndefined();
  });
});
