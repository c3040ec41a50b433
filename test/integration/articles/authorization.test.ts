import {
  ArchiveArticleDocument,
  ArticleDocument,
  ArticleNodeDocument,
  ArticlesDocument,
  CreateArticleDocument,
  CreateFaqDocument,
  DeleteArticleDocument,
  DeleteFaqDocument,
  FaqsDocument,
  PublishArticleDocument,
  RecordFaqViewDocument,
  RevertArticleToDraftDocument,
  SearchArticlesDocument,
  SearchFaqsDocument,
  SuggestedArticlesDocument,
  UpdateArticleDocument,
  UpdateFaqDocument,
  VoteArticleDocument,
  VoteFaqDocument,
} from '../../__generated__/graphql';
import type { GraphQLResponse, GraphQLTestClient } from '../../support/client';
import { createCast, type Cast } from '../../support/factories';
import { startTestServer, type TestServer } from '../../support/server';
import { createFaq, draftArticle, publishedArticle, ticketOf } from './kb-helpers';

/**
 * Every knowledge-base query and mutation, as every kind of caller. `ok` is data without errors;
 * `null` is a null answer without errors (node(id) hides what you may not see); anything else is
 * the error code expected.
 */
type ActorName = 'anonymous' | 'customerA' | 'customerB' | 'agent' | 'supervisor' | 'admin';
type Outcome = 'ok' | 'null' | 'UNAUTHENTICATED' | 'FORBIDDEN' | 'NOT_FOUND' | 'BAD_USER_INPUT';
const ACTORS: ActorName[] = ['anonymous', 'customerA', 'customerB', 'agent', 'supervisor', 'admin'];

let server: TestServer;
let cast: Cast;
let fixtures: { published: { id: string; slug: string }; draft: { id: string; slug: string }; ticketId: string; faq: { id: string }; hiddenFaq: { id: string } };

beforeAll(async () => {
  server = await startTestServer();
  cast = await createCast(server);
  fixtures = {
    published: await publishedArticle(cast.agent.client, { title: 'Matrix published article', body: 'How refunds work.' }),
    draft: await draftArticle(cast.agent.client, { title: 'Matrix draft article' }),
    ticketId: await ticketOf(server, cast.customerA, 'Refund please', 'How do refunds work?'),
    faq: await createFaq(cast.agent.client, { question: 'Matrix published question?' }),
    hiddenFaq: await createFaq(cast.agent.client, { question: 'Matrix hidden question?', published: false }),
  };
});
afterAll(() => server.stop());

const client = (actor: ActorName): GraphQLTestClient => (actor === 'anonymous' ? server.anonymous : cast[actor].client);
/** A fresh target for mutations that change or remove it, written by staff. */
const freshArticle = (publish = false) => (publish ? publishedArticle : draftArticle)(cast.agent.client, { title: 'Matrix target' });
const freshFaq = () => createFaq(cast.agent.client, { question: 'Matrix target question?', category: 'matrix' });

const everyone = (outcome: Outcome) => Object.fromEntries(ACTORS.map((actor) => [actor, outcome])) as Record<ActorName, Outcome>;
const staffOnly: Record<ActorName, Outcome> = { anonymous: 'UNAUTHENTICATED', customerA: 'FORBIDDEN', customerB: 'FORBIDDEN', agent: 'ok', supervisor: 'ok', admin: 'ok' };
const adminOnly: Record<ActorName, Outcome> = { ...staffOnly, agent: 'FORBIDDEN', supervisor: 'FORBIDDEN' };
const staffSeeDrafts = (hidden: Outcome): Record<ActorName, Outcome> => ({ anonymous: hidden, customerA: hidden, customerB: hidden, agent: 'ok', supervisor: 'ok', admin: 'ok' });
const signedIn: Record<ActorName, Outcome> = { ...everyone('ok'), anonymous: 'UNAUTHENTICATED' };

type Run = (as: GraphQLTestClient) => Promise<GraphQLResponse<Record<string, unknown>>>;
const operations: [string, Record<ActorName, Outcome>, Run][] = [
  ['articles', everyone('ok'), (as) => as.request(ArticlesDocument, { filter: { status: ['DRAFT', 'PUBLISHED'] } })],
  ['article (published, by slug)', everyone('ok'), (as) => as.request(ArticleDocument, { slug: fixtures.published.slug })],
  ['article (draft, by id)', staffSeeDrafts('NOT_FOUND'), (as) => as.request(ArticleDocument, { id: fixtures.draft.id })],
  ['article (draft, by slug)', staffSeeDrafts('NOT_FOUND'), (as) => as.request(ArticleDocument, { slug: fixtures.draft.slug })],
  ['node (draft article)', staffSeeDrafts('null'), (as) => as.request(ArticleNodeDocument, { id: fixtures.draft.id })],
  ['node (unpublished FAQ)', staffSeeDrafts('null'), (as) => as.request(ArticleNodeDocument, { id: fixtures.hiddenFaq.id })],
  ['searchArticles', everyone('ok'), (as) => as.request(SearchArticlesDocument, { query: 'refunds' })],
  [
    "suggestedArticles (customerA's ticket)",
    { anonymous: 'UNAUTHENTICATED', customerA: 'ok', customerB: 'NOT_FOUND', agent: 'ok', supervisor: 'ok', admin: 'ok' },
    (as) => as.request(SuggestedArticlesDocument, { ticketId: fixtures.ticketId }),
  ],
  ['faqs', everyone('ok'), (as) => as.request(FaqsDocument, { includeUnpublished: true })],
  ['searchFaqs', everyone('ok'), (as) => as.request(SearchFaqsDocument, { query: 'question' })],
  ['recordFaqView (published)', everyone('ok'), (as) => as.request(RecordFaqViewDocument, { id: fixtures.faq.id, visitorId: 'matrix-visitor' })],
  ['recordFaqView (unpublished)', staffSeeDrafts('NOT_FOUND'), (as) => as.request(RecordFaqViewDocument, { id: fixtures.hiddenFaq.id })],
  ['createArticle', staffOnly, (as) => as.request(CreateArticleDocument, { input: { title: 'Matrix new article', body: 'Body.' } })],
  ['updateArticle', staffOnly, async (as) => as.request(UpdateArticleDocument, { input: { id: (await freshArticle()).id, title: 'Edited' } })],
  ['publishArticle', staffOnly, async (as) => as.request(PublishArticleDocument, { id: (await freshArticle()).id })],
  ['archiveArticle', staffOnly, async (as) => as.request(ArchiveArticleDocument, { id: (await freshArticle(true)).id })],
  ['revertArticleToDraft', staffOnly, async (as) => as.request(RevertArticleToDraftDocument, { id: (await freshArticle(true)).id })],
  ['deleteArticle', adminOnly, async (as) => as.request(DeleteArticleDocument, { id: (await freshArticle(true)).id })],
  ['voteArticle (published)', signedIn, (as) => as.request(VoteArticleDocument, { id: fixtures.published.id, helpful: true })],
  [
    'voteArticle (draft)',
    { anonymous: 'UNAUTHENTICATED', customerA: 'NOT_FOUND', customerB: 'NOT_FOUND', agent: 'BAD_USER_INPUT', supervisor: 'BAD_USER_INPUT', admin: 'BAD_USER_INPUT' },
    (as) => as.request(VoteArticleDocument, { id: fixtures.draft.id, helpful: true }),
  ],
  ['createFaq', staffOnly, (as) => as.request(CreateFaqDocument, { input: { question: 'Matrix new question?', answer: 'Yes.' } })],
  ['updateFaq', staffOnly, async (as) => as.request(UpdateFaqDocument, { input: { id: (await freshFaq()).id, position: 1, published: false } })],
  ['deleteFaq', adminOnly, async (as) => as.request(DeleteFaqDocument, { id: (await freshFaq()).id })],
  ['voteFaq (published)', signedIn, (as) => as.request(VoteFaqDocument, { id: fixtures.faq.id, helpful: false })],
];

const cases = operations.flatMap(([name, outcomes, run]) => ACTORS.map((actor) => [name, actor, outcomes[actor], run] as const));

describe('knowledge-base authorization matrix', () => {
  it.each(cases)('%s as %s: %s', async (_name, actor, outcome, run) => {
    const result = await run(client(actor));
    if (outcome === 'ok' || outcome === 'null') {
      expect(result.errors).toBeUndefined();
      const [value] = Object.values(result.data ?? {});
      if (outcome === 'ok') expect(value).not.toBeNull();
      else expect(value).toBeNull();
    } else {
      expect(result.errors?.map((error) => error.extensions?.code)).toEqual([outcome]);
    }
  });
});
