import { Arg, Args, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import type { RequestContext } from '../../server/context';
import type { ConnectionShape } from '../../shared/pagination/connection';
import { Article } from './article.entity';
import { ArticleStatus } from './article.enums';
import { ArticleLookupArgs, ArticlesArgs, CreateArticleInput, SearchArticlesArgs, SuggestedArticlesArgs, UpdateArticleInput } from './article.inputs';
import { ArticleConnection, ArticlePayload, ArticleSearchHit } from './article.payloads';
import * as articles from './article.service';

@Resolver()
export class ArticleResolver {
  @Query(() => ArticleConnection, { description: 'Newest first; best match first with filter.search. Customers and anonymous readers see PUBLISHED only.' })
  articles(@Args(() => ArticlesArgs) args: ArticlesArgs, @Ctx() ctx: RequestContext): Promise<ConnectionShape<Article>> {
    return articles.listArticles(ctx, args);
  }

  @Query(() => Article, {
    nullable: true,
    description: 'By id or by slug (an earlier slug works too). NOT_FOUND when it does not exist or is not public and you are not staff. Counts a view.',
  })
  article(@Args(() => ArticleLookupArgs) args: ArticleLookupArgs, @Ctx() ctx: RequestContext): Promise<Article> {
    return articles.getArticle(ctx, args);
  }

  @Query(() => [ArticleSearchHit], { description: 'The help-center search box: stemmed, ranked, highlighted, and the last word may be unfinished.' })
  searchArticles(@Args(() => SearchArticlesArgs) args: SearchArticlesArgs, @Ctx() ctx: RequestContext): Promise<ArticleSearchHit[]> {
    return articles.searchArticles(ctx, args);
  }

  @Query(() => [Article], { description: "Published articles that best match a ticket's subject and description." })
  suggestedArticles(@Args(() => SuggestedArticlesArgs) args: SuggestedArticlesArgs, @Ctx() ctx: RequestContext): Promise<Article[]> {
    return articles.suggestArticlesForTicket(ctx, args);
  }

  @Mutation(() => ArticlePayload, { description: 'Staff only. A DRAFT, by the viewer.' })
  async createArticle(@Arg('input') input: CreateArticleInput, @Ctx() ctx: RequestContext): Promise<ArticlePayload> {
    return { article: await articles.createArticle(ctx, input) };
  }

  @Mutation(() => ArticlePayload, { description: 'Staff only.' })
  async updateArticle(@Arg('input') input: UpdateArticleInput, @Ctx() ctx: RequestContext): Promise<ArticlePayload> {
    return { article: await articles.updateArticle(ctx, input) };
  }

  @Mutation(() => ArticlePayload, { description: 'Staff only. DRAFT or ARCHIVED → PUBLISHED; publishedAt is set the first time.' })
  async publishArticle(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext): Promise<ArticlePayload> {
    return { article: await articles.setArticleStatus(ctx, id, ArticleStatus.PUBLISHED) };
  }

  @Mutation(() => ArticlePayload, { description: 'Staff only. PUBLISHED → ARCHIVED.' })
  async archiveArticle(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext): Promise<ArticlePayload> {
    return { article: await articles.setArticleStatus(ctx, id, ArticleStatus.ARCHIVED) };
  }

  @Mutation(() => ArticlePayload, { description: 'Staff only. PUBLISHED or ARCHIVED → DRAFT.' })
  async revertArticleToDraft(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext): Promise<ArticlePayload> {
    return { article: await articles.setArticleStatus(ctx, id, ArticleStatus.DRAFT) };
  }

  @Mutation(() => Boolean, { description: 'Admins only.' })
  deleteArticle(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext): Promise<boolean> {
    return articles.deleteArticle(ctx, id);
  }

  @Mutation(() => ArticlePayload, { description: 'One vote per person (or guest session); voting again the other way moves it.' })
  async voteArticle(@Arg('id', () => ID) id: string, @Arg('helpful') helpful: boolean, @Ctx() ctx: RequestContext): Promise<ArticlePayload> {
    return { article: await articles.voteArticle(ctx, id, helpful) };
  }
}
