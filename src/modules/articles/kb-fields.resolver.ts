import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '../../server/context';
import { canSeeUser } from '../../shared/auth/policies';
import { User } from '../accounts/user.entity';
import { userById } from '../accounts/user.loaders';
import { Article } from './article.entity';
import { Faq } from './faq.entity';
import { articleVoteOfViewer, faqVoteOfViewer } from './kb.loaders';

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
