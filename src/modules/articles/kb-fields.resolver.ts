import { Arg, Ctx, FieldResolver, Int, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '../../server/context';
import { canSeeUser } from '../../shared/auth/policies';
import { badInput } from '../../shared/errors';
import { User } from '../accounts/user.entity';
import { userById } from '../accounts/user.loaders';
import { Ticket } from '../tickets/ticket.entity';
import { Article } from './article.entity';
import { DEFAULT_SUGGESTIONS } from './article.service';
import { Faq } from './faq.entity';
import { articleVoteOfViewer, faqVoteOfViewer, suggestedArticlesOf } from './kb.loaders';

const VIEWER_VOTE = "The viewer's vote: true helpful, false not helpful, null none (or no viewer).";

@Resolver(() => Article)
export class ArticleFieldsResolver {
  @FieldResolver(() => User, { nullable: true, description: 'Who wrote it; null when their account is gone or not yours to see.' })
  async author(@Root() article: Article, @Ctx() ctx: RequestContext): Promise<User | null> {
    if (!article.author) return null;
    const user = await ctx.loaders.get(userById).load(article.author.id);
    return user && canSeeUser(ctx.viewer, user) ? user : null;
  }

  @FieldResolver(() => Boolean, { nullable: true, description: VIEWER_VOTE })
  viewerVote(@Root() article: Article, @Ctx() ctx: RequestContext): Promise<boolean | null> {
    return ctx.loaders.get(articleVoteOfViewer).load(article.id);
  }
}

@Resolver(() => Faq)
export class FaqFieldsResolver {
  @FieldResolver(() => Boolean, { nullable: true, description: VIEWER_VOTE })
  viewerVote(@Root() faq: Faq, @Ctx() ctx: RequestContext): Promise<boolean | null> {
    return ctx.loaders.get(faqVoteOfViewer).load(faq.id);
  }
}

/** The knowledge base's part of a ticket: what to read before (or instead of) waiting for an agent. */
@Resolver(() => Ticket)
export class TicketSuggestionsResolver {
  @FieldResolver(() => [Article], {
    description: "Published articles most likely to answer this ticket, best first (as suggestedArticles). Whoever can read the ticket sees them.",
  })
  suggestedArticles(
    @Root() ticket: Ticket,
    @Ctx() ctx: RequestContext,
    @Arg('first', () => Int, { nullable: true, description: 'At most 20; 5 by default.' }) first?: number | null,
  ): Promise<Article[]> {
    if (first != null && (first < 1 || first > 20)) throw badInput('first', 'first must be between 1 and 20.');
    return ctx.loaders.get(suggestedArticlesOf(first ?? DEFAULT_SUGGESTIONS)).load(ticket.id);
  }
}
