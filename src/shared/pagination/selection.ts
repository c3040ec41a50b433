import { Kind, type FieldNode, type FragmentDefinitionNode, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';

/** Per connection field of a parsed document (Apollo keeps parsed documents): the answer does not change between requests. */
const selectedByField = new WeakMap<FieldNode, ReadonlySet<string>>();

/**
 * The fields a connection field's query selects on its nodes, through `nodes { … }` and
 * `edges { node { … } }`, fragments included, by field name (aliases do not matter). Directives
 * are not evaluated: a field under `@include(if: false)` still counts, which only ever asks for
 * more. A loader can read just the columns these fields need.
 */
export function nodeFieldsSelected(info: Pick<GraphQLResolveInfo, 'fieldNodes' | 'fragments'>): ReadonlySet<string> {
  const first = info.fieldNodes[0];
  const known = info.fieldNodes.length === 1 && first ? selectedByField.get(first) : undefined;
  if (known) return known;
  const nodeFields = new Set<string>();
  const connectionFields = new Set<SelectionSetNode>();
  for (const field of info.fieldNodes) if (field.selectionSet) connectionFields.add(field.selectionSet);
  for (const connection of connectionFields) {
    for (const field of fieldsOf(connection, info.fragments)) {
      if (field.name.value === 'nodes' && field.selectionSet) collect(field.selectionSet, info.fragments, nodeFields);
      if (field.name.value === 'edges' && field.selectionSet) {
        for (const edgeField of fieldsOf(field.selectionSet, info.fragments)) {
          if (edgeField.name.value === 'node' && edgeField.selectionSet) collect(edgeField.selectionSet, info.fragments, nodeFields);
        }
      }
    }
  }
  if (info.fieldNodes.length === 1 && first) selectedByField.set(first, nodeFields);
  return nodeFields;
}

function collect(selectionSet: SelectionSetNode, fragments: Record<string, FragmentDefinitionNode>, into: Set<string>): void {
  for (const field of fieldsOf(selectionSet, fragments)) into.add(field.name.value);
}

/** The fields of a selection set, through inline fragments and fragment spreads (each spread once). */
function fieldsOf(selectionSet: SelectionSetNode, fragments: Record<string, FragmentDefinitionNode>, visited = new Set<string>()): FieldNode[] {
  const fields: FieldNode[] = [];
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) fields.push(selection);
    else if (selection.kind === Kind.INLINE_FRAGMENT) fields.push(...fieldsOf(selection.selectionSet, fragments, visited));
    else if (!visited.has(selection.name.value)) {
      visited.add(selection.name.value);
      const fragment = fragments[selection.name.value];
      if (fragment) fields.push(...fieldsOf(fragment.selectionSet, fragments, visited));
    }
  }
  return fields;
}
