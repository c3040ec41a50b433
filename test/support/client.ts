import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print, type DocumentNode, type GraphQLFormattedError } from 'graphql';

export interface GraphQLResponse<T> {
  status: number;
  data?: T | null;
  errors?: GraphQLFormattedError[];
}

/** A small GraphQL-over-HTTP client speaking the typed documents that codegen generates. */
export class GraphQLTestClient {
  constructor(
    readonly url: string,
    readonly token?: string,
  ) {}

  withToken(token: string | null | undefined): GraphQLTestClient {
    return new GraphQLTestClient(this.url, token ?? undefined);
  }

  async request<TData, TVariables>(
    document: TypedDocumentNode<TData, TVariables> | DocumentNode | string,
    ...[variables]: TVariables extends Record<string, never> ? [] | [TVariables] : [TVariables]
  ): Promise<GraphQLResponse<TData>> {
    const response = await fetch(this.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json, application/json',
        ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
      },
      body: JSON.stringify({ query: typeof document === 'string' ? document : print(document), variables }),
    });
    const body = (await response.json()) as { data?: TData | null; errors?: GraphQLFormattedError[] };
    return { status: response.status, ...body };
  }

  /** Runs the operation and fails the test with the errors when there are any. */
  async data<TData, TVariables>(
    document: TypedDocumentNode<TData, TVariables>,
    ...variables: TVariables extends Record<string, never> ? [] | [TVariables] : [TVariables]
  ): Promise<TData> {
    const result = await this.request(document, ...variables);
    if (result.errors?.length || !result.data) {
      throw new Error(`GraphQL errors: ${JSON.stringify(result.errors ?? 'no data', null, 2)}`);
    }
    return result.data;
  }

  /** Runs the operation, expects exactly an error with `code`, and returns it. */
  async error<TData, TVariables>(
    code: string,
    document: TypedDocumentNode<TData, TVariables>,
    ...variables: TVariables extends Record<string, never> ? [] | [TVariables] : [TVariables]
  ): Promise<GraphQLFormattedError> {
    const result = await this.request(document, ...variables);
    const error = result.errors?.[0];
    if (!error) throw new Error(`expected ${code}, got data: ${JSON.stringify(result.data)}`);
    if (error.extensions?.code !== code) throw new Error(`expected ${code}, got: ${JSON.stringify(result.errors, null, 2)}`);
    return error;
  }
}
