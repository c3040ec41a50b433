import type { ApolloServerOptionsWithGateway, BaseContext } from '@apollo/server';
import { execute, GraphQLError, printSchema, type DocumentNode, type ExecutionArgs, type ExecutionResult, type GraphQLSchema } from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';
import { LRUCache } from 'lru-cache';

type Gateway = ApolloServerOptionsWithGateway<BaseContext>['gateway'];
type Executor = Awaited<ReturnType<Gateway['load']>>['executor'];

/** Compiled operations kept per process: by the document's hash and the operation chosen from it. */
const COMPILED_OPERATIONS = 1000;

/**
 * Executes HTTP operations with graphql-jit instead of graphql-js' interpreter. graphql-js walks
 * the selection set for every object of a result (a list page of 50 tickets with 20 messages is
 * about 3,300 fields); graphql-jit compiles each operation once into a function that does only
 * that selection's work. The resolvers, the schema, Apollo's parsing, validation rules (limits,
 * cost) and error formatting are the same; only the execution step changes.
 *
 * Apollo Server 5 accepts another executor only through its gateway interface, so the schema is
 * handed over as a gateway that never changes it.
 */
export function compiledExecutionGateway(schema: GraphQLSchema): Gateway {
  const compiled = new LRUCache<string, CompiledQuery | ExecutionResult>({ max: COMPILED_OPERATIONS });
  const executor: Executor = async (requestContext) => {
    const key = `${requestContext.queryHash}\u0000${requestContext.operationName ?? ''}`;
    let operation = compiled.get(key);
    if (!operation) {
      operation = compileQuery(schema, requestContext.document, requestContext.operationName ?? undefined);
      compiled.set(key, operation);
    }
    // A document graphql-jit cannot compile answers what it reports (Apollo validated it already).
    if (!isCompiledQuery(operation)) return operation;
    return withGraphQLJsErrors(await operation.query(undefined, requestContext.context, requestContext.request.variables ?? {}));
  };
  return {
    async load() {
      return { executor };
    },
    onSchemaLoadOrUpdate(callback) {
      callback({ apiSchema: schema, coreSupergraphSdl: printSchema(schema) });
      return () => {};
    },
    async stop() {},
  };
}

/**
 * graphql-jit for the values of websocket subscriptions: each operation compiled once per parsed
 * document (websocket documents come from a cache, so the same object for the same text). graphql-js
 * collects the fields, coerces the variables and reads the arguments anew for every event it
 * executes, a few kilobytes of garbage per value; with thousands of deliveries a second that was
 * the largest share of a real-time instance's allocations. A document graphql-jit cannot compile
 * runs on graphql-js.
 */
export class CompiledSubscriptionValues {
  private readonly compiled = new WeakMap<DocumentNode, Map<string, CompiledQuery | null>>();

  execute(args: ExecutionArgs): Promise<ExecutionResult> | ExecutionResult {
    const operation = this.compiledFor(args);
    if (!operation) return execute(args);
    const result = operation.query(args.rootValue, args.contextValue, args.variableValues ?? {});
    return result instanceof Promise ? result.then(withGraphQLJsErrors) : withGraphQLJsErrors(result);
  }

  private compiledFor(args: ExecutionArgs): CompiledQuery | null {
    let byOperation = this.compiled.get(args.document);
    if (!byOperation) this.compiled.set(args.document, (byOperation = new Map()));
    const name = args.operationName ?? '';
    let operation = byOperation.get(name);
    if (operation === undefined) {
      const compiled = compileQuery(args.schema, args.document, args.operationName ?? undefined);
      byOperation.set(name, (operation = isCompiledQuery(compiled) ? compiled : null));
    }
    return operation;
  }
}

const withGraphQLJsErrors = (result: ExecutionResult): ExecutionResult => (result.errors ? { ...result, errors: result.errors.map(asGraphQLJsError) } : result);

/**
 * graphql-jit's errors are GraphQLErrors by prototype only: no `extensions` object when the thrown
 * error had none (Apollo reads `extensions.code`), locations as data rather than from AST nodes.
 * Error formatting expects graphql-js' own.
 */
function asGraphQLJsError(error: GraphQLError): GraphQLError {
  const normalized = new GraphQLError(error.message, {
    path: error.path,
    originalError: error.originalError ?? undefined,
    extensions: error.extensions ?? undefined,
  });
  if (error.locations?.length) (normalized as { locations?: GraphQLError['locations'] }).locations = error.locations;
  return normalized;
}
