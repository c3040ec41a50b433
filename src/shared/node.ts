import { Field, ID, InterfaceType } from 'type-graphql';
import { typeOfId } from './ids';

/** Relay's Node: every id is global, and its prefix says which type it names. */
@InterfaceType('Node', {
  resolveType: (value: { id: string }) => typeOfId(value.id) ?? undefined,
})
export abstract class Node {
  @Field(() => ID)
  id!: string;
}
