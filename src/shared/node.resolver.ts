import { Arg, Ctx, ID, Query, Resolver } from 'type-graphql';
import type { RequestContext } from '../server/context';
import { typeOfId, type NodeTypeName } from './ids';
import { Node } from './node';

/** How each module loads one node for the viewer (returning null when the viewer may not see it). */
export type NodeFetcher = (ctx: RequestContext, id: string) => Promise<object | null>;

const fetchers = new Map<NodeTypeName, NodeFetcher>();

/** Modules register the node types they own; `node(id)` dispatches on the id's prefix. */
export function registerNodeFetcher(type: NodeTypeName, fetcher: NodeFetcher): void {
  fetchers.set(type, fetcher);
}

@Resolver()
export class NodeResolver {
  @Query(() => Node, { nullable: true, description: 'Any object by its global id; null when it does not exist or is not yours to see.' })
  async node(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext): Promise<object | null> {
    const type = typeOfId(id);
    const fetcher = type ? fetchers.get(type) : undefined;
    return fetcher ? fetcher(ctx, id) : null;
  }
}

export const nodeResolvers = [NodeResolver];
