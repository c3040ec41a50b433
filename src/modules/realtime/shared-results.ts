import {
  createSourceEventStream,
  getNamedType,
  getOperationAST,
  isObjectType,
  Kind,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  type FragmentDefinitionNode,
  type GraphQLObjectType,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';
import type { RequestContext } from '../../server/context';
import { CompiledSubscriptionValues } from '../../server/executor';
import { isAdmin } from '../../shared/auth/viewer';
import { isDrivable } from './live-stream';
import { RecentMap } from './recent-map';
import type { Message } from '../messages/message.entity';

/**
 * Per subscription field whose events are shared objects (the same value handed to every
 * subscriber of the event on this instance): the fields whose result depends on nothing but the
 * value (and the variables), and how the viewer may still change the rest.
 */
interface ShareableField {
  /** Per object type: fields that read only their parent value (a field naming a type recurses into it). */
  fields: Record<string, ReadonlySet<string>>;
  /** What, of the viewer, the allowed fields do depend on: the cache keeps one result per distinct key. */
  viewKey(ctx: RequestContext, root: object): string;
}

const SHAREABLE: Record<string, ShareableField> = {
  // messageAdded's values are MessageFeed's shared, read-only pages. `body` is the one allowed field
  // that reads the viewer: blank for all but the author and admins once deleted (visibleBody). The
  // role is in the key anyway, so customers and staff never share a result even if a page did.
  messageAdded: {
    fields: {
      Message: new Set(['__typename', 'id', 'seq', 'authorKind', 'kind', 'internal', 'clientMessageId', 'createdAt', 'editedAt', 'deletedAt', 'body', 'author']),
      User: new Set(['__typename', 'id', 'name', 'role', 'createdAt']),
    },
    viewKey: (ctx, root) => {
      const viewer = ctx.viewer;
      const message = root as Message;
      const role = viewer?.role ?? 'anonymous';
      // The role alone (no new string) for the usual message, which is not deleted.
      if (!message.deletedAt) return role;
      return `${role}:${isAdmin(viewer) || (!!viewer && message.author?.id === viewer.userId) ? 'body' : 'blank'}`;
    },
  },
};

/** How one document's subscription values may share their execution; null: each runs its own. */
interface Plan {
  field: ShareableField;
  /** The variables the shared part of the selection reads (its arguments and directives). */
  variables: string[];
}

/** How long a result stays shareable: the subscribers of one value execute it within milliseconds of each other. */
const SHARED_FOR_MS = 100;

/** One subscription's plan, and the part of its result key that stays the same for all its values. */
interface Sharing {
  plan: Plan;
  key: string;
}

/**
 * Executes a subscription's values once per distinct view. graphql-js runs the whole selection for
 * every subscriber and every event; when thousands follow the same tickets with the same document,
 * that is the same work over and over. For subscription fields listed in SHAREABLE, a value that is
 * one shared object (see MessageFeed) is executed once per (document, variables the selection
 * reads, view key), and every subscriber with that view gets the same result object. Only
 * selections made entirely of fields that read nothing but their parent value qualify; anything
 * else (a per-viewer field such as User.email, or a loader of the viewer's) runs per subscriber as
 * before. Authorization is untouched: each subscriber's stream still re-checks its viewer and picks
 * the values it may see before execution.
 */
export class SharedResults {
  private readonly plans = new WeakMap<DocumentNode, Map<string, Plan | null>>();
  private readonly results = new RecentMap<object, Map<string, Map<string, Promise<ExecutionResult> | ExecutionResult>>>(SHARED_FOR_MS);
  private readonly serializedResults = new RecentMap<ExecutionResult, string>(SHARED_FOR_MS);
  private readonly compiled = new CompiledSubscriptionValues();
  /** Selections executed, and results handed out again instead (tests and metrics). */
  readonly counts = { executed: 0, shared: 0 };

  /**
   * graphql-js' `subscribe`, with each value executed through `execute` below: what graphql-ws
   * calls for every subscription operation. Where the operation's connection can take a frame
   * (`sendNext`), results are written there as their events arrive: a Parley subscription is
   * driven (LiveIterator.drive), so no promise per subscriber waits between events, and a result
   * without errors is serialized once however many subscribers share it. graphql-ws then only
   * sees the end of the stream, or its error.
   */
  async subscribe(args: ExecutionArgs): Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult> {
    const source = await createSourceEventStream(args);
    if (!(Symbol.asyncIterator in source)) return source;
    const iterator = source[Symbol.asyncIterator]();
    const sendNext = (args.contextValue as RequestContext | undefined)?.connection?.sendNext;
    const sharing = this.sharingFor(args);
    const map = async (item: IteratorResult<unknown>): Promise<IteratorResult<ExecutionResult>> => {
      if (item.done) return { value: undefined, done: true };
      try {
        return { value: await this.execute(args, item.value, sharing), done: false };
      } catch (error) {
        await iterator.return?.().catch(() => undefined);
        throw error;
      }
    };
    const send = (result: ExecutionResult) => sendNext!(result, result.errors ? undefined : this.serialized(result));
    const deliver = (value: unknown): void | Promise<void> => {
      // A shared result is usually there already: sent in the same turn, no promise.
      const result = this.execute(args, value, sharing);
      return result instanceof Promise ? result.then(send) : send(result);
    };
    let driven = false;
    const mapped: AsyncIterableIterator<ExecutionResult> = {
      next: async () => {
        if (sendNext && isDrivable(iterator) && !driven) {
          driven = true;
          await iterator.drive(deliver);
          return { value: undefined, done: true };
        }
        return map(await iterator.next());
      },
      return: async () => (iterator.return ? map(await iterator.return()) : { value: undefined, done: true }),
      throw: async (error: unknown) => {
        if (!iterator.throw) throw error;
        return map(await iterator.throw(error));
      },
      [Symbol.asyncIterator]: () => mapped,
    };
    return mapped;
  }

  /** The result as JSON, computed once per result object (shared results are one object). */
  private serialized(result: ExecutionResult): string {
    let json = this.serializedResults.get(result);
    if (json === undefined) this.serializedResults.set(result, (json = JSON.stringify(result)));
    return json;
  }

  /** How one operation's values may share their execution: decided once per subscription. */
  private sharingFor(args: ExecutionArgs): Sharing | null {
    const plan = this.planFor(args.schema, args.document, args.operationName ?? undefined);
    if (!plan) return null;
    const variables = args.variableValues ?? {};
    const values = plan.variables.length ? JSON.stringify(plan.variables.map((name) => variables[name] ?? null)) : '';
    return { plan, key: `${this.documentId(args.document)}\u0000${args.operationName ?? ''}\u0000${values}\u0000` };
  }

  /** The result of `args` with `root` as the subscription's value, shared with identical views. */
  private execute(args: ExecutionArgs, root: unknown, sharing: Sharing | null): Promise<ExecutionResult> | ExecutionResult {
    this.counts.executed++;
    if (!sharing || typeof root !== 'object' || root === null) return this.compiled.execute({ ...args, rootValue: root });
    const view = sharing.plan.field.viewKey(args.contextValue as RequestContext, root);
    // Keyed by the value itself, for as long as its subscribers may ask (see RecentMap), then by
    // the operation's fixed part and the view: no key string made per subscriber.
    let byOperation = this.results.get(root);
    if (!byOperation) this.results.set(root, (byOperation = new Map()));
    let byView = byOperation.get(sharing.key);
    if (!byView) byOperation.set(sharing.key, (byView = new Map()));
    const known = byView.get(view);
    if (known) {
      this.counts.executed--;
      this.counts.shared++;
      return known;
    }
    const result = this.compiled.execute({ ...args, rootValue: root });
    byView.set(view, result);
    return result;
  }

  private readonly documentIds = new WeakMap<DocumentNode, number>();
  private nextDocumentId = 1;

  private documentId(document: DocumentNode): number {
    let id = this.documentIds.get(document);
    if (id === undefined) this.documentIds.set(document, (id = this.nextDocumentId++));
    return id;
  }

  private planFor(schema: GraphQLSchema, document: DocumentNode, operationName: string | undefined): Plan | null {
    let byOperation = this.plans.get(document);
    if (!byOperation) this.plans.set(document, (byOperation = new Map()));
    const name = operationName ?? '';
    if (!byOperation.has(name)) byOperation.set(name, this.analyse(schema, document, operationName));
    return byOperation.get(name)!;
  }

  private analyse(schema: GraphQLSchema, document: DocumentNode, operationName: string | undefined): Plan | null {
    const operation = getOperationAST(document, operationName);
    const root = schema.getSubscriptionType();
    if (!operation || operation.operation !== 'subscription' || !root) return null;
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const definition of document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
    // A subscription has exactly one root field (validation), possibly behind fragments: keep it simple and require it plain.
    const selections = operation.selectionSet.selections;
    if (selections.length !== 1 || selections[0].kind !== Kind.FIELD || selections[0].directives?.length) return null;
    const rootField = selections[0];
    const shareable = SHAREABLE[rootField.name.value];
    const definition = root.getFields()[rootField.name.value];
    if (!shareable || !definition || !rootField.selectionSet) return null;
    const type = getNamedType(definition.type);
    if (!isObjectType(type)) return null;
    const variables = new Set<string>();
    const ok = this.allowed(rootField.selectionSet, type, shareable, fragments, variables, new Set());
    return ok ? { field: shareable, variables: [...variables].sort() } : null;
  }

  /** True when every field of `selectionSet` (through fragments) is in the allowlist of its type. */
  private allowed(
    selectionSet: SelectionSetNode,
    type: GraphQLObjectType,
    shareable: ShareableField,
    fragments: Map<string, FragmentDefinitionNode>,
    variables: Set<string>,
    visiting: Set<string>,
  ): boolean {
    const fields = shareable.fields[type.name];
    if (!fields) return false;
    for (const selection of selectionSet.selections) {
      for (const directive of selection.directives ?? []) collectVariables(directive, variables);
      if (selection.kind === Kind.FIELD) {
        const name = selection.name.value;
        if (!fields.has(name)) return false;
        for (const argument of selection.arguments ?? []) collectVariables(argument, variables);
        if (name === '__typename') continue;
        const field = type.getFields()[name];
        if (!field) return false;
        const named = getNamedType(field.type);
        if (selection.selectionSet) {
          if (!isObjectType(named) || !this.allowed(selection.selectionSet, named, shareable, fragments, variables, visiting)) return false;
        } else if (isObjectType(named)) {
          return false;
        }
      } else {
        const fragment = selection.kind === Kind.FRAGMENT_SPREAD ? fragments.get(selection.name.value) : selection;
        if (!fragment) return false;
        if (fragment.typeCondition && fragment.typeCondition.name.value !== type.name) return false;
        if (selection.kind === Kind.FRAGMENT_SPREAD) {
          if (visiting.has(selection.name.value)) return false;
          visiting.add(selection.name.value);
        }
        const ok = this.allowed(fragment.selectionSet, type, shareable, fragments, variables, visiting);
        if (selection.kind === Kind.FRAGMENT_SPREAD) visiting.delete(selection.name.value);
        if (!ok) return false;
      }
    }
    return true;
  }
}

/** Adds the names of the variables used anywhere under `node` (an argument or a directive). */
function collectVariables(node: object, into: Set<string>): void {
  const walk = (value: unknown): void => {
    if (!value || typeof value !== 'object') return;
    if (Array.isArray(value)) return value.forEach(walk);
    const record = value as { kind?: string; name?: { value: string } };
    if (record.kind === Kind.VARIABLE && record.name) {
      into.add(record.name.value);
      return;
    }
    for (const [key, child] of Object.entries(value)) if (key !== 'loc') walk(child);
  };
  walk(node);
}
