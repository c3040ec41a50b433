import { GraphQLScalarType, isObjectType, type GraphQLFieldResolver, type GraphQLSchema } from 'graphql';

/** The parts of type-graphql's metadata this reads (its package exports no types for them). */
interface ParamMetadata {
  kind: string;
  index: number;
  propertyName?: string;
  getType?: () => unknown;
  /** An `@Arg`'s name, and its own validation if it has one. */
  name?: string;
  validateFn?: unknown;
  validateSettings?: unknown;
}
interface FieldMetadata {
  name: string;
  schemaName: string;
  target: Function;
  params?: ParamMetadata[];
  roles?: unknown[];
  middlewares?: unknown[];
}
interface FieldResolverMetadata {
  kind: 'internal' | 'external';
  target: Function;
  methodName: string;
  params?: ParamMetadata[];
  roles?: unknown[];
  middlewares?: unknown[];
  getObjectType?: () => Function;
}
interface SubscriptionMetadata {
  schemaName: string;
  target: Function;
  methodName: string;
  params?: ParamMetadata[];
  roles?: unknown[];
  middlewares?: unknown[];
}
interface MetadataStorage {
  objectTypes: { name: string; fields?: FieldMetadata[]; interfaceClasses?: Function[] }[];
  interfaceTypes: { target: Function; fields?: FieldMetadata[] }[];
  fieldResolvers: FieldResolverMetadata[];
  subscriptions: SubscriptionMetadata[];
}

/** type-graphql keeps its metadata on the global object (getMetadataStorage, which it does not export). */
function getMetadataStorage(): MetadataStorage {
  const storage = (globalThis as { TypeGraphQLMetadataStorage?: MetadataStorage }).TypeGraphQLMetadataStorage;
  if (!storage) throw new Error('type-graphql has no metadata yet: build the schema first');
  return storage;
}

/**
 * type-graphql runs every field through a wrapper of its own on every call: a resolverData object,
 * the (empty) middleware chain, and for resolver methods the parameters sorted and mapped anew, the
 * root checked against its class. A list page resolves thousands of fields, and for most of them
 * that machinery does nothing. This takes it out where it provably does nothing:
 *
 * - a plain property field with no middleware and no roles reads its property, and nothing else;
 * - a `@FieldResolver` method of a resolver class with no middleware, no roles and only `@Root()`,
 *   `@Ctx()` and `@Info()` parameters is called directly, when the root already is an instance of
 *   the type (any other root takes type-graphql's own path, which rebuilds it).
 *
 * Arguments (conversion and validation), middleware, roles and anything else keep type-graphql's
 * wrapper. Parley uses no global middleware and no auth checker (authorization lives in services), so
 * neither can be skipped by this; `buildSchema` options must stay that way for this to hold.
 * Returns how many fields it changed.
 */
export function leanResolvers(schema: GraphQLSchema): number {
  const storage = getMetadataStorage();
  let changed = 0;
  for (const objectType of storage.objectTypes) {
    const type = schema.getType(objectType.name);
    if (!isObjectType(type)) continue;
    const graphqlFields = type.getFields();
    const interfaceFields = storage.interfaceTypes.filter((it) => objectType.interfaceClasses?.includes(it.target)).flatMap((it) => it.fields ?? []);
    for (const field of [...interfaceFields, ...(objectType.fields ?? [])]) {
      const graphqlField = graphqlFields[field.schemaName];
      if (!graphqlField) continue;
      const fieldResolver = storage.fieldResolvers.find((it) => it.getObjectType?.() === field.target && it.methodName === field.name);
      const resolve = fieldResolver ? directCall(fieldResolver, graphqlField.resolve) : plainProperty(field);
      if (resolve === false) continue;
      graphqlField.resolve = resolve;
      changed++;
    }
  }
  const subscriptionFields = schema.getSubscriptionType()?.getFields() ?? {};
  for (const subscription of storage.subscriptions) {
    const graphqlField = subscriptionFields[subscription.schemaName];
    const resolve = graphqlField && subscriptionValue(subscription, graphqlField.resolve);
    if (!resolve) continue;
    graphqlField.resolve = resolve;
    changed++;
  }
  return changed;
}

/**
 * A subscription field's resolver (what each value goes through) called directly, when it takes
 * the value as `@Root()` and otherwise only scalar `@Arg`s: type-graphql would convert and
 * validate those arguments again for every value, and for a scalar both do nothing (validation
 * looks at objects only). False when the field has to keep type-graphql's wrapper.
 */
function subscriptionValue(metadata: SubscriptionMetadata, wrapped: GraphQLFieldResolver<unknown, unknown> | undefined): GraphQLFieldResolver<unknown, unknown> | false {
  if (!wrapped || metadata.middlewares?.length || metadata.roles) return false;
  const target = metadata.target as new () => Record<string, (...args: unknown[]) => unknown>;
  if (target.length !== 0) return false;
  const params = [...(metadata.params ?? [])].sort((a, b) => a.index - b.index);
  if (params[0]?.kind !== 'root' || params[0].propertyName || params[0].index !== 0) return false;
  const argNames: string[] = [];
  for (const [index, param] of params.slice(1).entries()) {
    if (param.index !== index + 1 || param.kind !== 'arg' || !param.name || param.validateFn || param.validateSettings !== undefined) return false;
    const type = param.getType?.();
    if (!(type instanceof GraphQLScalarType) && type !== String && type !== Number && type !== Boolean) return false;
    argNames.push(param.name);
  }
  const rootType = params[0].getType?.();
  if (typeof rootType !== 'function') return false;
  const instance = new target();
  const method = instance[metadata.methodName];
  if (typeof method !== 'function') return false;
  return (root, args, context, info) =>
    root instanceof rootType
      ? method.call(instance, root, ...argNames.map((name) => (args as Record<string, unknown>)[name]))
      : wrapped(root, args, context, info);
}

/**
 * A property read for a plain property field, false when it has to keep its wrapper. Not GraphQL's
 * default resolver: the compiled executor inlines that and takes its value as it is, while a
 * property may hold a promise (a connection's lazy totalCount); a resolver's result is awaited.
 */
function plainProperty(field: FieldMetadata): GraphQLFieldResolver<unknown, unknown> | false {
  if (field.middlewares?.length || field.roles || field.params?.length) return false;
  const name = field.name;
  return (root) => (root as Record<string, unknown>)[name];
}

type Param = 'root' | 'context' | 'info';

/** The method called directly, or false when the field has to keep type-graphql's wrapper. */
function directCall(metadata: FieldResolverMetadata, wrapped: GraphQLFieldResolver<unknown, unknown> | undefined): GraphQLFieldResolver<unknown, unknown> | false {
  if (!wrapped || metadata.kind !== 'external' || metadata.middlewares?.length || metadata.roles) return false;
  const target = metadata.target as new () => Record<string, (...args: unknown[]) => unknown>;
  if (target.length !== 0) return false;
  const params = [...(metadata.params ?? [])].sort((a, b) => a.index - b.index);
  const kinds: Param[] = [];
  for (const [index, param] of params.entries()) {
    if (param.index !== index) return false;
    if ((param.kind === 'root' || param.kind === 'context') && !param.propertyName) kinds.push(param.kind as Param);
    else if (param.kind === 'info') kinds.push('info');
    else return false;
  }
  const rootParam = params.find((param) => param.kind === 'root');
  const declared = rootParam?.getType?.();
  // type-graphql hands a root to the method as it is only when it already is an instance of the type.
  const rootType = (typeof declared === 'function' ? declared : metadata.getObjectType?.()) as Function | undefined;
  if (!rootType) return false;
  // An instance of its own (type-graphql's default container also makes one per class): resolver
  // classes here hold no state.
  const instance = new target();
  const method = instance[metadata.methodName];
  if (typeof method !== 'function') return false;
  const call = (root: unknown, context: unknown, info: unknown) =>
    method.apply(
      instance,
      kinds.map((kind) => (kind === 'root' ? root : kind === 'context' ? context : info)),
    );
  // The shapes the hot fields have, without the array.
  const shape = kinds.join(',');
  const direct: (root: unknown, context: unknown, info: unknown) => unknown =
    shape === 'root,context'
      ? (root, context) => method.call(instance, root, context)
      : shape === 'root'
        ? (root) => method.call(instance, root)
        : call;
  return (root, args, context, info) => (root instanceof rootType ? direct(root, context, info) : wrapped(root, args, context, info));
}
