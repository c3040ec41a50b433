import { GraphQLError, parse, validate, type DocumentNode, type GraphQLSchema, type ParseOptions, type ValidationRule } from 'graphql';

export type CheckedDocument = { document: DocumentNode; errors?: undefined } | { document?: undefined; errors: readonly GraphQLError[] };

/**
 * Parsed and validated documents by their text, for graphql-ws (Apollo keeps its own for HTTP).
 * Thousands of clients subscribe with the same few documents: parsing and validating each once
 * saves the work at every subscribe (a reconnect storm is all subscribes), and every subscription
 * shares one document instead of holding its own syntax tree (its tokens and locations were most
 * of an idle subscriber's memory). Documents are never modified after parsing, so sharing is safe.
 * The least recently used entries go first past `max`.
 */
export class DocumentCache {
  private readonly entries = new Map<string, { document: DocumentNode; errors: readonly GraphQLError[] } | { parseError: string }>();

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly rules: readonly ValidationRule[],
    private readonly parseOptions: ParseOptions,
    private readonly max = 500,
  ) {}

  check(query: string): CheckedDocument {
    let entry = this.entries.get(query);
    if (entry) {
      // Most recently used last, so eviction takes the oldest.
      this.entries.delete(query);
    } else {
      entry = this.compute(query);
      if (this.entries.size >= this.max) this.entries.delete(this.entries.keys().next().value!);
    }
    this.entries.set(query, entry);
    if ('parseError' in entry) return { errors: [new GraphQLError(entry.parseError, { extensions: { code: 'GRAPHQL_PARSE_FAILED' } })] };
    return entry.errors.length ? { errors: entry.errors } : { document: entry.document };
  }

  private compute(query: string): { document: DocumentNode; errors: readonly GraphQLError[] } | { parseError: string } {
    let document: DocumentNode;
    try {
      document = parse(query, this.parseOptions);
    } catch (error) {
      return { parseError: (error as Error).message };
    }
    return { document, errors: validate(this.schema, document, this.rules) };
  }
}
