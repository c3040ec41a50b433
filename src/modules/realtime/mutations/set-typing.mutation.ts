import { Arg, Ctx, ID, Mutation, Resolver } from 'type-graphql';
import type { RequestContext } from '../../../server/context';
import { rateLimit } from '../../../server/security';
import { setTyping } from '../activity.service';

@Resolver()
export class SetTypingMutation {
  @Mutation(() => Boolean, { description: 'Refresh `true` every few seconds while typing; silence turns into `false` after 5 s.' })
  async setTyping(@Arg('ticketId', () => ID) ticketId: string, @Arg('isTyping') isTyping: boolean, @Ctx() ctx: RequestContext): Promise<boolean> {
    await rateLimit(ctx, 'setTyping');
    return setTyping(ctx, ticketId, isTyping);
  }
}
