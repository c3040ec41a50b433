import DataLoader from 'dataloader';
import { byKeys, type LoaderFactory } from '../../shared/loaders/registry';
import { Article } from './article.entity';
import { suggestionsForTickets } from './article.service';
import { ARTICLE_FEEDBACK, FAQ_FEEDBACK, votesOf } from './feedback.service';
import { Faq } from './faq.entity';

/** Articles by id, one query per batch. Visibility is the caller's to check. */
export const articleById: LoaderFactory<string, Article | null> = (ctx) =>
  new DataLoader(async (ids) => {
    const articles = await ctx.em.find(Article, { id: { $in: [...ids] } });
    return byKeys(ids, articles, (article) => article.id, (article) => article, null);
  });

/** FAQs by id, one query per batch. Visibility is the caller's to check. */
export const faqById: LoaderFactory<string, Faq | null> = (ctx) =>
  new DataLoader(async (ids) => {
    const faqs = await ctx.em.find(Faq, { id: { $in: [...ids] } });
    return byKeys(ids, faqs, (faq) => faq.id, (faq) => faq, null);
  });

/** The viewer's vote per article id (null: none, or no viewer), one query per batch. */
export const articleVoteOfViewer: LoaderFactory<string, boolean | null> = (ctx) =>
  new DataLoader(async (ids) => {
    if (!ctx.viewer) return ids.map(() => null);
    const votes = await votesOf(ctx.em, ARTICLE_FEEDBACK, ctx.viewer.userId, ids);
    return ids.map((id) => votes.get(id) ?? null);
  });

/** The viewer's vote per FAQ id (null: none, or no viewer), one query per batch. */
export const faqVoteOfViewer: LoaderFactory<string, boolean | null> = (ctx) =>
  new DataLoader(async (ids) => {
    if (!ctx.viewer) return ids.map(() => null);
    const votes = await votesOf(ctx.em, FAQ_FEEDBACK, ctx.viewer.userId, ids);
    return ids.map((id) => votes.get(id) ?? null);
  });

const suggestionLoaders = new Map<number, LoaderFactory<string, Article[]>>();

/**
 * Suggested articles per ticket id, `first` each: one statement for every ticket of the request
 * (a list of tickets does not run one search per ticket), the articles through `articleById`.
 */
export function suggestedArticlesOf(first: number): LoaderFactory<string, Article[]> {
  let factory = suggestionLoaders.get(first);
  if (!factory) {
    factory = (ctx) =>
      new DataLoader(async (ticketIds) => {
        const byTicket = await suggestionsForTickets(ctx.em, ticketIds, first);
        const articles = ctx.loaders.get(articleById);
        return Promise.all(
          ticketIds.map(async (id) => {
            const found = await articles.loadMany(byTicket.get(id) ?? []);
            return found.filter((article): article is Article => article instanceof Article);
          }),
        );
      });
    suggestionLoaders.set(first, factory);
  }
  return factory;
}
