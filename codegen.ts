import type { CodegenConfig } from '@graphql-codegen/cli';

// The tests are the first client of the generated code: their operations (test/operations/*.graphql)
// become typed documents, checked against the committed schema snapshot.
const config: CodegenConfig = {
  schema: 'schema/schema.graphql',
  documents: ['test/operations/**/*.graphql'],
  ignoreNoDocuments: false,
  generates: {
    [process.env.PARLEY_CODEGEN_OUT ?? 'test/__generated__/']: {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: { scalars: { DateTime: 'string' }, enumsAsTypes: true, useTypeImports: true },
    },
  },
};

export default config;
