import { registerNodeFetcher } from '../../shared/node.resolver';
import { ArticleResolver } from './article.resolver';
import { readableOrNull } from './article.service';
import { FaqResolver } from './faq.resolver';
import { readableFaqOrNull } from './faq.service';
import { ArticleFieldsResolver, FaqFieldsResolver, TicketSuggestionsResolver } from './kb-fields.resolver';
import { articleById, faqById } from './kb.loaders';

// node(id) follows the same visibility as the queries: drafts, archived articles and unpublished
// FAQs are null for customers and anonymous readers, exactly like ids that do not exist.
registerNodeFetcher('Article', async (ctx, id) => readableOrNull(ctx.viewer, await ctx.loaders.get(articleById).load(id)));
registerNodeFetcher('Faq', async (ctx, id) => readableFaqOrNull(ctx.viewer, await ctx.loaders.get(faqById).load(id)));

/** The knowledge base: articles and FAQs. */
export const knowledgeBaseResolvers = [ArticleResolver, ArticleFieldsResolver, FaqResolver, FaqFieldsResolver, TicketSuggestionsResolver];
