import { Arg, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import type { RequestContext } from '../../server/context';
import { rateLimit } from '../../server/security';
import { GuestSessionInput, LoginInput, SignUpInput } from './account.inputs';
import { AuthPayload } from './account.payloads';
import * as accounts from './account.service';
import { User } from './user.entity';
import { userById } from './user.loaders';

@Resolver()
export class AccountResolver {
  @Query(() => User, { nullable: true, description: 'The signed-in user; null without a valid token.' })
  viewer(@Ctx() ctx: RequestContext): Promise<User | null> | null {
    return ctx.viewer ? ctx.loaders.get(userById).load(ctx.viewer.userId) : null;
  }

  @Mutation(() => AuthPayload)
  async signUp(@Arg('input') input: SignUpInput, @Ctx() ctx: RequestContext): Promise<AuthPayload> {
    await rateLimit(ctx, 'signUp');
    return accounts.signUp(ctx, input);
  }

  @Mutation(() => AuthPayload)
  login(@Arg('input') input: LoginInput, @Ctx() ctx: RequestContext): Promise<AuthPayload> {
    return accounts.login(ctx, input);
  }

  @Mutation(() => AuthPayload, { description: 'A web-widget visitor without an account becomes a guest customer.' })
  async startGuestSession(@Arg('input') input: GuestSessionInput, @Ctx() ctx: RequestContext): Promise<AuthPayload> {
    // A guest is a new account too: the same per-IP budget as sign-ups.
    await rateLimit(ctx, 'signUp');
    return accounts.startGuestSession(ctx, input);
  }

  @Mutation(() => AuthPayload)
  refreshSession(@Arg('refreshToken') refreshToken: string, @Ctx() ctx: RequestContext): Promise<AuthPayload> {
    return accounts.refreshSession(ctx, refreshToken);
  }

  @Mutation(() => Boolean, { description: 'Revokes the refresh token; open subscriptions of that session are closed.' })
  logout(@Arg('refreshToken') refreshToken: string, @Ctx() ctx: RequestContext): Promise<boolean> {
    return accounts.logout(ctx, refreshToken);
  }
}
