import 'reflect-metadata';
import { assertInterfaceType, lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';
import { DateTimeResolver } from 'graphql-scalars';
import { buildSchema } from 'type-graphql';
import { topicsAreNotUsed } from '../infra/pubsub';
import { resolveNodeType } from '../shared/node';
import { rememberingArgumentValidation } from './argument-validation';
import { leanResolvers } from './lean-resolvers';
import { resolvers } from './resolvers';
// Load every entity, so every Node implementation is known whichever file imported the schema first.
import '../infra/entities';

let built: Promise<GraphQLSchema> | undefined;

/** The served schema, built once per process from the modules' resolvers. */
export function getSchema(): Promise<GraphQLSchema> {
  built ??= buildSchema({
    resolvers,
    // The contract names the scalar DateTime (type-graphql would call it DateTimeISO).
    scalarsMap: [{ type: Date, scalar: DateTimeResolver }],
    // class-validator as type-graphql would run it, remembering what passed (argument-validation.ts).
    validateFn: rememberingArgumentValidation(),
    emitSchemaFile: false,
    // Required once a subscription exists; ours declare `subscribe`, see infra/pubsub.ts.
    pubSub: topicsAreNotUsed,
  }).then((schema) => {
    // type-graphql wraps resolveType in an async function; graphql-jit (executor.ts) needs the type
    // at once, and ours knows it at once from the id.
    assertInterfaceType(schema.getType('Node')).resolveType = resolveNodeType;
    leanResolvers(schema);
    return schema;
  });
  return built;
}

/** The sorted SDL committed at schema/schema.graphql. */
export async function printSortedSchema(): Promise<string> {
  return `${printSchema(lexicographicSortSchema(await getSchema()))}\n`;
}
