import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '../../server/context';
import { canSeeEmail } from '../../shared/auth/policies';
import { isStaffRole } from '../../shared/auth/viewer';
import { Agent } from '../agents/agent.entity';
import { agentByUserId } from '../agents/agent.loaders';
import { User } from './user.entity';

@Resolver(() => User)
export class UserFieldsResolver {
  @FieldResolver(() => String, { nullable: true, description: 'Visible to staff and to the user themself; null for everyone else.' })
  email(@Root() user: User, @Ctx() ctx: RequestContext): string | null {
    return canSeeEmail(ctx.viewer, user.id) ? (user.email ?? null) : null;
  }

  @FieldResolver(() => Agent, { nullable: true, description: 'Set when the user is staff (AGENT, SUPERVISOR, ADMIN).' })
  agent(@Root() user: User, @Ctx() ctx: RequestContext): Promise<Agent | null> | null {
    return isStaffRole(user.role) ? ctx.loaders.get(agentByUserId).load(user.id) : null;
  }
}
