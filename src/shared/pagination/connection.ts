import { ArgsType, Field, Int, ObjectType, type ClassType } from 'type-graphql';
import { Max, Min } from 'class-validator';

@ObjectType()
export class PageInfo {
  @Field()
  hasNextPage!: boolean;

  @Field()
  hasPreviousPage!: boolean;

  @Field(() => String, { nullable: true })
  startCursor!: string | null;

  @Field(() => String, { nullable: true })
  endCursor!: string | null;
}

export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 20;

/** Relay arguments; page sizes are capped at 100. */
@ArgsType()
export class ConnectionArgs {
  @Field(() => Int, { nullable: true })
  @Min(0)
  @Max(MAX_PAGE_SIZE)
  first?: number | null;

  @Field(() => String, { nullable: true })
  after?: string | null;

  @Field(() => Int, { nullable: true })
  @Min(0)
  @Max(MAX_PAGE_SIZE)
  last?: number | null;

  @Field(() => String, { nullable: true })
  before?: string | null;
}

/** Forward-only arguments, for connections the contract pages one way. */
@ArgsType()
export class ForwardConnectionArgs {
  @Field(() => Int, { nullable: true })
  @Min(0)
  @Max(MAX_PAGE_SIZE)
  first?: number | null;

  @Field(() => String, { nullable: true })
  after?: string | null;
}

export interface Edge<T> {
  cursor: string;
  node: T;
}

export interface ConnectionShape<T> {
  edges: Edge<T>[];
  nodes: T[];
  pageInfo: PageInfo;
  /** Lazy: the count query runs only when the client selects `totalCount` (see `lazy`). */
  totalCount: number | PromiseLike<number>;
}

/**
 * A connection whose edges are made when GraphQL reads them: most lists select `nodes` only, and
 * every edge's cursor is an encoding (a list page of 50 tickets has 1,000 message edges).
 */
export function withLazyEdges<T>(shape: Omit<ConnectionShape<T>, 'edges'>, cursorOf: (node: T) => string): ConnectionShape<T> {
  let edges: Edge<T>[] | undefined;
  return Object.defineProperty(shape, 'edges', {
    get: () => (edges ??= shape.nodes.map((node) => ({ cursor: cursorOf(node), node }))),
    enumerable: true,
  }) as ConnectionShape<T>;
}

/**
 * A value computed on first `then`: graphql-js awaits a field's value only when the field was
 * selected, so an expensive aggregate costs nothing when nobody asks for it.
 */
export function lazy<T>(compute: () => Promise<T>): PromiseLike<T> {
  let promise: Promise<T> | undefined;
  return {
    then(onFulfilled, onRejected) {
      promise ??= compute();
      return promise.then(onFulfilled, onRejected);
    },
  };
}

/** Generates `${name}Edge` and an abstract connection class to extend as `${name}Connection`. */
export function ConnectionType<T extends object>(name: string, nodeType: ClassType<T>) {
  @ObjectType(`${name}Edge`)
  class EdgeType {
    @Field()
    cursor!: string;

    @Field(() => nodeType)
    node!: T;
  }

  // Abstract and never returned itself: only the concrete subclasses reach the schema.
  @ObjectType()
  abstract class Connection {
    @Field(() => [EdgeType])
    edges!: EdgeType[];

    @Field(() => [nodeType])
    nodes!: T[];

    @Field(() => PageInfo)
    pageInfo!: PageInfo;

    @Field(() => Int)
    totalCount!: number;
  }
  return Connection;
}
