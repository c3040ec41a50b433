import { Field, ID, InterfaceType } from 'type-graphql';
import { typeOfId } from './ids';

/** The Node type of a value, by its id's prefix. */
export const resolveNodeType = (value: { id: string }): string | undefined => typeOfId(value.id) ?? undefined;

/** Relay's Node: every id is global, and its prefix says which type it names. */
@InterfaceType('Node', { resolveType: resolveNodeType })
export abstract class Node {
  @Field(() => ID)
  id!: string;
}
