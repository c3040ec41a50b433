import type { EntityManager } from '@mikro-orm/postgresql';
import {
  ArchiveArticleDocument,
  ArticleDocument,
  RecordFaqViewDocument,
  StartGuestSessionDocument,
  VoteArticleDocument,
  VoteFaqDocument,
} from '../../__generated__/graphql';
import { createCast, createCustomer, type Cast } from '../../support/factories';
import { startTestServer, type TestServer } from '../../support/server';
import { createFaq, draftArticle, publishedArticle } from './kb-helpers';

let server: TestServer;
let cast: Cast;

beforeAll(async () => {
  server = await startTestServer();
  cast = await createCast(server);
});
afterAll(() => server.stop());

const sql = async <T>(query: string, params: unknown[] = []): Promise<T[]> =>
  (server.app.services.orm.em.fork() as EntityManager).execute<T[]>(query, params);

const viewCount = async (id: string) => (await cast.agent.client.data(ArticleDocument, { id })).article!.viewCount;

describe('votes', () => {
  it('counts one vote per person, moves it when they change their mind, and ignores a repeat', async () => {
    const article = await publishedArticle(cast.agent.client, { title: 'Vote target' });
    const vote = (helpful: boolean) => cast.customerA.client.data(VoteArticleDocument, { id: article.id, helpful });
    expect((await vote(true)).voteArticle.article).toMatchObject({ helpfulCount: 1, notHelpfulCount: 0, viewerVote: true });
    expect((await vote(true)).voteArticle.article).toMatchObject({ helpfulCount: 1, notHelpfulCount: 0, viewerVote: true });
    expect((await vote(false)).voteArticle.article).toMatchObject({ helpfulCount: 0, notHelpfulCount: 1, viewerVote: false });
    const other = await cast.customerB.client.data(VoteArticleDocument, { id: article.id, helpful: false });
    expect(other.voteArticle.article).toMatchObject({ helpfulCount: 0, notHelpfulCount: 2, viewerVote: false });
  });

  it('counts a burst of identical votes from one person once', async () => {
    const article = await publishedArticle(cast.agent.client, { title: 'Double click target' });
    await Promise.all(Array.from({ length: 8 }, () => cast.customerA.client.data(VoteArticleDocument, { id: article.id, helpful: true })));
    expect((await cast.customerA.client.data(VoteArticleDocument, { id: article.id, helpful: true })).voteArticle.article).toMatchObject({ helpfulCount: 1, notHelpfulCount: 0 });
  });

  it('keeps the counters exact under concurrent votes and flips from many people', async () => {
    const article = await publishedArticle(cast.agent.client, { title: 'Busy vote target' });
    const voters = await Promise.all(Array.from({ length: 6 }, (_, i) => createCustomer(server, { name: `Voter ${i}` })));
    await Promise.all(voters.map((voter) => voter.client.data(VoteArticleDocument, { id: article.id, helpful: true })));
    // Half of them change their mind while the other half repeat themselves, all at once.
    await Promise.all(voters.map((voter, i) => voter.client.data(VoteArticleDocument, { id: article.id, helpful: i % 2 === 0 })));
    const [counts] = await sql<{ helpful_count: number; not_helpful_count: number }>('select helpful_count, not_helpful_count from articles where id = ?', [article.id]);
    expect(counts).toEqual({ helpful_count: 3, not_helpful_count: 3 });
    const [stored] = await sql<{ yes: number; no: number }>(
      'select count(*) filter (where helpful)::int as yes, count(*) filter (where not helpful)::int as no from article_votes where article_id = ?',
      [article.id],
    );
    expect(stored).toEqual({ yes: 3, no: 3 });
  });

  it('gives a guest session a vote of its own, and none to anonymous readers', async () => {
    const article = await publishedArticle(cast.agent.client, { title: 'Guest vote target' });
    await server.anonymous.error('UNAUTHENTICATED', VoteArticleDocument, { id: article.id, helpful: true });
    const { startGuestSession } = await server.anonymous.data(StartGuestSessionDocument, { input: { name: 'Widget visitor' } });
    const guest = server.client(startGuestSession.token);
    expect((await guest.data(VoteArticleDocument, { id: article.id, helpful: true })).voteArticle.article.helpfulCount).toBe(1);
    expect((await guest.data(VoteArticleDocument, { id: article.id, helpful: true })).voteArticle.article.helpfulCount).toBe(1);
  });

  it('takes no votes on drafts: NOT_FOUND for customers, BAD_USER_INPUT for staff', async () => {
    const draft = await draftArticle(cast.agent.client, { title: 'Unvotable draft' });
    await cast.customerA.client.error('NOT_FOUND', VoteArticleDocument, { id: draft.id, helpful: true });
    const error = await cast.agent.client.error('BAD_USER_INPUT', VoteArticleDocument, { id: draft.id, helpful: true });
    expect(error.extensions?.field).toBe('id');
  });

  it('works the same way for FAQs', async () => {
    const faq = await createFaq(cast.agent.client, { question: 'Is voting on FAQs possible?' });
    expect((await cast.customerA.client.data(VoteFaqDocument, { id: faq.id, helpful: true })).voteFaq.faq).toMatchObject({ helpfulCount: 1, notHelpfulCount: 0, viewerVote: true });
    expect((await cast.customerA.client.data(VoteFaqDocument, { id: faq.id, helpful: false })).voteFaq.faq).toMatchObject({ helpfulCount: 0, notHelpfulCount: 1, viewerVote: false });
    expect((await cast.customerA.client.data(VoteFaqDocument, { id: faq.id, helpful: false })).voteFaq.faq).toMatchObject({ helpfulCount: 0, notHelpfulCount: 1 });
    await server.anonymous.error('UNAUTHENTICATED', VoteFaqDocument, { id: faq.id, helpful: true });
    const hidden = await createFaq(cast.agent.client, { question: 'Hidden question?', published: false });
    await cast.customerA.client.error('NOT_FOUND', VoteFaqDocument, { id: hidden.id, helpful: true });
  });
});

describe('view counts', () => {
  it('counts a signed-in reader once a day, however often they read', async () => {
    const article = await publishedArticle(cast.agent.client, { title: 'Viewed by customers' });
    const first = await cast.customerA.client.data(ArticleDocument, { id: article.id });
    expect(first.article?.viewCount).toBe(1);
    await cast.customerA.client.data(ArticleDocument, { slug: article.slug });
    await cast.customerA.client.data(ArticleDocument, { id: article.id });
    expect((await cast.customerB.client.data(ArticleDocument, { id: article.id })).article?.viewCount).toBe(2);
  });

  it('counts anonymous readers by the visitor id they send, and not at all without one', async () => {
    const article = await publishedArticle(cast.agent.client, { title: 'Viewed anonymously' });
    await server.anonymous.data(ArticleDocument, { id: article.id, visitorId: 'visitor-one-0001' });
    await server.anonymous.data(ArticleDocument, { id: article.id, visitorId: 'visitor-one-0001' });
    await server.anonymous.data(ArticleDocument, { id: article.id, visitorId: 'visitor-two-0002' });
    await server.anonymous.data(ArticleDocument, { id: article.id });
    expect(await viewCount(article.id)).toBe(2);
    const error = await server.anonymous.error('BAD_USER_INPUT', ArticleDocument, { id: article.id, visitorId: 'short' });
    expect(error.extensions?.field).toBe('visitorId');
  });

  it('counts a burst of simultaneous reads by one reader once', async () => {
    const article = await publishedArticle(cast.agent.client, { title: 'Viewed in a burst' });
    await Promise.all(Array.from({ length: 8 }, () => cast.customerA.client.data(ArticleDocument, { id: article.id })));
    expect(await viewCount(article.id)).toBe(1);
  });

  it('does not count staff, nor reads of drafts and archived articles', async () => {
    const article = await publishedArticle(cast.agent.client, { title: 'Viewed by staff' });
    await cast.agent.client.data(ArticleDocument, { id: article.id });
    await cast.admin.client.data(ArticleDocument, { id: article.id });
    expect(await viewCount(article.id)).toBe(0);
    await cast.agent.client.data(ArchiveArticleDocument, { id: article.id });
    await cast.customerA.client.error('NOT_FOUND', ArticleDocument, { id: article.id });
    await server.anonymous.error('NOT_FOUND', ArticleDocument, { id: article.id, visitorId: 'visitor-three-03' });
    expect(await viewCount(article.id)).toBe(0);
  });

  it('does not write the article row again for a repeated view', async () => {
    const article = await publishedArticle(cast.agent.client, { title: 'Hot article' });
    await cast.customerA.client.data(ArticleDocument, { id: article.id });
    const version = async () => (await sql<{ xmin: string }>('select xmin::text as xmin from articles where id = ?', [article.id]))[0].xmin;
    const before = await version();
    for (let i = 0; i < 3; i++) await cast.customerA.client.data(ArticleDocument, { id: article.id });
    expect(await version()).toBe(before);
  });

  it('counts FAQ views once per reader a day, published ones only', async () => {
    const faq = await createFaq(cast.agent.client, { question: 'How are FAQ views counted?' });
    expect((await cast.customerA.client.data(RecordFaqViewDocument, { id: faq.id })).recordFaqView.viewCount).toBe(1);
    expect((await cast.customerA.client.data(RecordFaqViewDocument, { id: faq.id })).recordFaqView.viewCount).toBe(1);
    expect((await server.anonymous.data(RecordFaqViewDocument, { id: faq.id, visitorId: 'faq-visitor-01' })).recordFaqView.viewCount).toBe(2);
    expect((await cast.agent.client.data(RecordFaqViewDocument, { id: faq.id })).recordFaqView.viewCount).toBe(2);
    const hidden = await createFaq(cast.agent.client, { question: 'Unpublished view?', published: false });
    await cast.customerA.client.error('NOT_FOUND', RecordFaqViewDocument, { id: hidden.id });
    const [row] = await sql<{ view_count: number }>('select view_count from faqs where id = ?', [hidden.id]);
    expect(row.view_count).toBe(0);
  });
});
