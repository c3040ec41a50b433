import { canSeeUser } from '../../shared/auth/policies';
import { registerNodeFetcher } from '../../shared/node.resolver';
import { AccountResolver } from './account.resolver';
import { UserFieldsResolver } from './user-fields.resolver';
import { userById } from './user.loaders';

registerNodeFetcher('User', async (ctx, id) => {
  const user = await ctx.loaders.get(userById).load(id);
  return user && canSeeUser(ctx.viewer, user) ? user : null;
});

export const accountResolvers = [AccountResolver, UserFieldsResolver];
