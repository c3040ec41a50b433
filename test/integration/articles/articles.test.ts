import {
  ArchiveArticleDocument,
  ArticleDocument,
  ArticleNodeDocument,
  ArticlesDocument,
  ArticlesWithAuthorsDocument,
  CreateArticleDocument,
  DeleteArticleDocument,
  PublishArticleDocument,
  RevertArticleToDraftDocument,
  SearchArticlesDocument,
  SuggestedArticlesDocument,
  UpdateArticleDocument,
} from '../../__generated__/graphql';
import { createCast, type Cast } from '../../support/factories';
import { startTestServer, type TestServer } from '../../support/server';
import { draftArticle, publishedArticle, ticketOf } from './kb-helpers';

let server: TestServer;
let cast: Cast;

beforeAll(async () => {
  server = await startTestServer();
  cast = await createCast(server);
});
afterAll(() => server.stop());

describe('writing articles', () => {
  it('creates a draft by the viewer, with a slug from the title and normalized tags', async () => {
    const { createArticle } = await cast.agent.client.data(CreateArticleDocument, {
      input: {
        title: '  How to withdraw your earnings ',
        body: '# Withdrawals\n\nOpen **Payouts**.',
        excerpt: 'Moving money to your bank.',
        metaDescription: 'Withdraw your earnings in three steps.',
        category: ' Payments ',
        tags: ['Payouts', 'payouts', ' Bank '],
      },
    });
    expect(createArticle.article).toMatchObject({
      slug: 'how-to-withdraw-your-earnings',
      title: 'How to withdraw your earnings',
      body: '# Withdrawals\n\nOpen **Payouts**.',
      excerpt: 'Moving money to your bank.',
      metaDescription: 'Withdraw your earnings in three steps.',
      category: 'Payments',
      tags: ['payouts', 'bank'],
      status: 'DRAFT',
      publishedAt: null,
      viewCount: 0,
      helpfulCount: 0,
      notHelpfulCount: 0,
      author: { id: cast.agent.user.id, name: 'Ada Agent' },
    });
  });

  it('edits fields one by one; an empty excerpt clears it and a new title keeps the slug', async () => {
    const article = await draftArticle(cast.agent.client, { title: 'Resetting a password', excerpt: 'Short version' });
    const { updateArticle } = await cast.supervisor.client.data(UpdateArticleDocument, {
      input: { id: article.id, title: 'Resetting your password', excerpt: '', tags: ['Account'] },
    });
    expect(updateArticle.article).toMatchObject({ title: 'Resetting your password', slug: 'resetting-a-password', excerpt: null, tags: ['account'] });
  });

  it('answers NOT_FOUND for an article that does not exist', async () => {
    await cast.agent.client.error('NOT_FOUND', UpdateArticleDocument, { input: { id: 'art_00000000000000000000000000', title: 'x' } });
    await cast.agent.client.error('NOT_FOUND', PublishArticleDocument, { id: 'garbage' });
  });

  it('lets an admin delete an article, which then is gone everywhere', async () => {
    const article = await publishedArticle(cast.agent.client, { title: 'Doomed article' });
    expect((await cast.admin.client.data(DeleteArticleDocument, { id: article.id })).deleteArticle).toBe(true);
    await cast.admin.client.error('NOT_FOUND', ArticleDocument, { id: article.id });
    await cast.admin.client.error('NOT_FOUND', DeleteArticleDocument, { id: article.id });
    expect((await cast.admin.client.data(ArticleNodeDocument, { id: article.id })).node).toBeNull();
  });
});

describe('input validation', () => {
  const valid = { title: 'A title', body: 'A body' };
  it.each([
    ['title', { ...valid, title: '' }],
    ['title', { ...valid, title: '   ' }],
    ['title', { ...valid, title: 'x'.repeat(201) }],
    ['body', { ...valid, body: '' }],
    ['body', { ...valid, body: 'x'.repeat(50_001) }],
    ['slug', { ...valid, slug: 'Not A Slug' }],
    ['slug', { ...valid, slug: 'double--dash' }],
    ['slug', { ...valid, slug: 'x'.repeat(101) }],
    ['excerpt', { ...valid, excerpt: 'x'.repeat(501) }],
    ['metaDescription', { ...valid, metaDescription: 'x'.repeat(301) }],
    ['category', { ...valid, category: 'x'.repeat(101) }],
    ['tags', { ...valid, tags: Array.from({ length: 21 }, (_, i) => `tag${i}`) }],
    ['tags', { ...valid, tags: ['x'.repeat(51)] }],
    ['tags', { ...valid, tags: [''] }],
  ])('createArticle rejects a bad %s with BAD_USER_INPUT naming it', async (field, input) => {
    const error = await cast.agent.client.error('BAD_USER_INPUT', CreateArticleDocument, { input });
    expect(error.extensions?.field).toBe(field);
  });

  it('accepts the limits themselves', async () => {
    const { createArticle } = await cast.agent.client.data(CreateArticleDocument, {
      input: { title: 'x'.repeat(200), body: 'y'.repeat(50_000), tags: Array.from({ length: 20 }, (_, i) => `${i}`.padStart(50, 't')) },
    });
    expect(createArticle.article.tags).toHaveLength(20);
  });

  it.each([
    ['title', { title: ' ' }],
    ['body', { body: '' }],
    ['slug', { slug: 'UPPER' }],
    ['tags', { tags: Array.from({ length: 21 }, (_, i) => `t${i}`) }],
  ])('updateArticle rejects a bad %s with BAD_USER_INPUT naming it', async (field, patch) => {
    const article = await draftArticle(cast.agent.client, { title: `Validation target ${field}` });
    const error = await cast.agent.client.error('BAD_USER_INPUT', UpdateArticleDocument, { input: { id: article.id, ...patch } });
    expect(error.extensions?.field).toBe(field);
  });

  it('wants exactly one of id and slug', async () => {
    expect((await server.anonymous.error('BAD_USER_INPUT', ArticleDocument, {})).extensions?.field).toBe('id');
    const article = await publishedArticle(cast.agent.client, { title: 'Either or' });
    expect((await server.anonymous.error('BAD_USER_INPUT', ArticleDocument, { id: article.id, slug: article.slug })).extensions?.field).toBe('slug');
  });

  it('names the filter field of a bad articles filter', async () => {
    const error = await server.anonymous.error('BAD_USER_INPUT', ArticlesDocument, { filter: { search: 'x'.repeat(201) } });
    expect(error.extensions?.field).toBe('filter.search');
    expect((await server.anonymous.error('BAD_USER_INPUT', ArticlesDocument, { first: 101 })).extensions?.field).toBe('first');
  });
});

describe('slugs', () => {
  it('gives colliding titles a numbered suffix', async () => {
    const slugs = [];
    for (let i = 0; i < 3; i++) slugs.push((await draftArticle(cast.agent.client, { title: 'Setting up two-factor authentication!' })).slug);
    expect(slugs).toEqual([
      'setting-up-two-factor-authentication',
      'setting-up-two-factor-authentication-2',
      'setting-up-two-factor-authentication-3',
    ]);
  });

  it('keeps slugs unique when articles with one title are created at the same moment', async () => {
    const created = await Promise.all(
      Array.from({ length: 10 }, () => cast.agent.client.data(CreateArticleDocument, { input: { title: 'Simultaneous title', body: 'Same time.' } })),
    );
    const slugs = new Set(created.map((result) => result.createArticle.article.slug));
    expect(slugs).toEqual(new Set(['simultaneous-title', ...Array.from({ length: 9 }, (_, i) => `simultaneous-title-${i + 2}`)]));
  });

  it('answers CONFLICT on the slug field when a chosen slug is taken', async () => {
    await draftArticle(cast.agent.client, { title: 'Chosen', slug: 'chosen-slug' });
    const error = await cast.agent.client.error('CONFLICT', CreateArticleDocument, { input: { title: 'Other', body: 'x', slug: 'chosen-slug' } });
    expect(error.extensions?.field).toBe('slug');
  });

  it('strips accents and punctuation and falls back for titles without letters', async () => {
    expect((await draftArticle(cast.agent.client, { title: 'Crème brûlée: what’s inside?' })).slug).toBe('creme-brulee-whats-inside');
    expect((await draftArticle(cast.agent.client, { title: '???' })).slug).toBe('article');
  });

  it('finds an article by its current and its previous slugs after edits', async () => {
    const article = await publishedArticle(cast.agent.client, { title: 'Changing your email address' });
    await cast.agent.client.data(UpdateArticleDocument, { input: { id: article.id, slug: 'update-email' } });
    await cast.agent.client.data(UpdateArticleDocument, { input: { id: article.id, slug: 'change-email' } });
    for (const slug of ['changing-your-email-address', 'update-email', 'change-email']) {
      const { article: found } = await server.anonymous.data(ArticleDocument, { slug });
      expect(found).toMatchObject({ id: article.id, slug: 'change-email' });
    }
  });

  it('keeps an old slug reserved for its article, which may take it back', async () => {
    const article = await draftArticle(cast.agent.client, { title: 'Reserved slug owner' });
    await cast.agent.client.data(UpdateArticleDocument, { input: { id: article.id, slug: 'new-home' } });
    const other = await draftArticle(cast.agent.client, { title: 'Squatter' });
    const error = await cast.agent.client.error('CONFLICT', UpdateArticleDocument, { input: { id: other.id, slug: 'reserved-slug-owner' } });
    expect(error.extensions?.field).toBe('slug');
    // A generated slug steers clear of it too.
    expect((await draftArticle(cast.agent.client, { title: 'Reserved slug owner' })).slug).toBe('reserved-slug-owner-2');
    const { updateArticle } = await cast.agent.client.data(UpdateArticleDocument, { input: { id: article.id, slug: 'reserved-slug-owner' } });
    expect(updateArticle.article.slug).toBe('reserved-slug-owner');
  });

  it('lets exactly one of two articles claim a free slug at the same moment', async () => {
    const [a, b] = await Promise.all([draftArticle(cast.agent.client, { title: 'Claimant A' }), draftArticle(cast.agent.client, { title: 'Claimant B' })]);
    const results = await Promise.all([a, b].map((article) => cast.agent.client.request(UpdateArticleDocument, { input: { id: article.id, slug: 'contested' } })));
    expect(results.filter((result) => result.data?.updateArticle).length).toBe(1);
    expect(results.flatMap((result) => result.errors ?? []).map((error) => error.extensions?.code)).toEqual(['CONFLICT']);
  });
});

describe('workflow', () => {
  it('publishes a draft once: publishedAt is set the first time and kept', async () => {
    const article = await draftArticle(cast.agent.client, { title: 'Workflow article' });
    const published = (await cast.agent.client.data(PublishArticleDocument, { id: article.id })).publishArticle.article;
    expect(published.status).toBe('PUBLISHED');
    expect(published.publishedAt).not.toBeNull();

    const archived = (await cast.agent.client.data(ArchiveArticleDocument, { id: article.id })).archiveArticle.article;
    expect(archived).toMatchObject({ status: 'ARCHIVED', publishedAt: published.publishedAt });

    const draft = (await cast.agent.client.data(RevertArticleToDraftDocument, { id: article.id })).revertArticleToDraft.article;
    expect(draft).toMatchObject({ status: 'DRAFT', publishedAt: published.publishedAt });

    const again = (await cast.agent.client.data(PublishArticleDocument, { id: article.id })).publishArticle.article;
    expect(again).toMatchObject({ status: 'PUBLISHED', publishedAt: published.publishedAt });
  });

  it('treats a step to the current status as a no-op and republishes from the archive', async () => {
    const article = await publishedArticle(cast.agent.client, { title: 'Idempotent steps' });
    expect((await cast.agent.client.data(PublishArticleDocument, { id: article.id })).publishArticle.article.status).toBe('PUBLISHED');
    await cast.agent.client.data(ArchiveArticleDocument, { id: article.id });
    expect((await cast.agent.client.data(PublishArticleDocument, { id: article.id })).publishArticle.article.status).toBe('PUBLISHED');
  });

  it('does not archive a draft that was never published', async () => {
    const article = await draftArticle(cast.agent.client, { title: 'Never public' });
    const error = await cast.agent.client.error('BAD_USER_INPUT', ArchiveArticleDocument, { id: article.id });
    expect(error.extensions?.field).toBe('id');
  });
});

describe('visibility of drafts and archived articles', () => {
  let draft: { id: string; slug: string };
  let archived: { id: string; slug: string };
  let published: { id: string; slug: string };

  beforeAll(async () => {
    draft = await draftArticle(cast.agent.client, { title: 'Secret refund policy draft', body: 'Refund everything quietly.', category: 'visibility', tags: ['visibility'] });
    archived = await publishedArticle(cast.agent.client, { title: 'Old refund policy', body: 'Refunds within a year.', category: 'visibility', tags: ['visibility'] });
    await cast.agent.client.data(ArchiveArticleDocument, { id: archived.id });
    published = await publishedArticle(cast.agent.client, { title: 'Refund policy', body: 'Refunds within thirty days.', category: 'visibility', tags: ['visibility'] });
  });

  const readers = () => [
    ['anonymous readers', server.anonymous],
    ['customers', cast.customerA.client],
  ] as const;

  it('hides them from customers and anonymous readers in the list, whatever status filter they send', async () => {
    for (const [, client] of readers()) {
      for (const status of [undefined, ['DRAFT' as const], ['ARCHIVED' as const], ['DRAFT' as const, 'ARCHIVED' as const, 'PUBLISHED' as const]]) {
        const { articles } = await client.data(ArticlesDocument, { filter: { category: 'visibility', status } });
        expect(articles.nodes.map((node) => node.id)).toEqual(status && !status.includes('PUBLISHED') ? [] : [published.id]);
        expect(articles.nodes.every((node) => node.status === 'PUBLISHED')).toBe(true);
      }
    }
  });

  it('answers NOT_FOUND to them by id and by slug, like an article that does not exist', async () => {
    for (const [, client] of readers()) {
      for (const hidden of [draft, archived]) {
        await client.error('NOT_FOUND', ArticleDocument, { id: hidden.id });
        await client.error('NOT_FOUND', ArticleDocument, { slug: hidden.slug });
      }
      expect((await client.data(ArticleDocument, { slug: published.slug })).article?.id).toBe(published.id);
    }
  });

  it('answers null to them through node(id)', async () => {
    for (const [, client] of readers()) {
      expect((await client.data(ArticleNodeDocument, { id: draft.id })).node).toBeNull();
      expect((await client.data(ArticleNodeDocument, { id: archived.id })).node).toBeNull();
      expect((await client.data(ArticleNodeDocument, { id: published.id })).node).toMatchObject({ __typename: 'Article', status: 'PUBLISHED' });
    }
  });

  it('leaves them out of their searches, whatever status they ask for', async () => {
    for (const [, client] of readers()) {
      for (const status of [undefined, ['DRAFT' as const, 'ARCHIVED' as const, 'PUBLISHED' as const]]) {
        const { searchArticles } = await client.data(SearchArticlesDocument, { query: 'refund', status });
        expect(searchArticles.map((hit) => hit.article.id)).toEqual([published.id]);
        const { articles } = await client.data(ArticlesDocument, { filter: { search: 'refund', status } });
        expect(articles.nodes.map((node) => node.id)).toEqual([published.id]);
      }
      expect((await client.data(SearchArticlesDocument, { query: 'refund', status: ['DRAFT', 'ARCHIVED'] })).searchArticles).toEqual([]);
      expect((await client.data(ArticlesDocument, { filter: { search: 'refund', status: ['DRAFT'] } })).articles.nodes).toEqual([]);
    }
  });

  it('never suggests them for a ticket, to anyone', async () => {
    const ticketId = await ticketOf(server, cast.customerA, 'Refund policy question', 'What is the refund policy?');
    for (const client of [cast.customerA.client, cast.agent.client]) {
      const { suggestedArticles } = await client.data(SuggestedArticlesDocument, { ticketId });
      expect(suggestedArticles.map((article) => article.id)).toContain(published.id);
      expect(suggestedArticles.every((article) => article.status === 'PUBLISHED')).toBe(true);
    }
  });

  it('shows staff everything, and what they filter for', async () => {
    const { articles } = await cast.agent.client.data(ArticlesDocument, { filter: { category: 'visibility' } });
    expect(new Set(articles.nodes.map((node) => node.id))).toEqual(new Set([draft.id, archived.id, published.id]));
    const drafts = await cast.agent.client.data(ArticlesDocument, { filter: { category: 'visibility', status: ['DRAFT'] } });
    expect(drafts.articles.nodes.map((node) => node.id)).toEqual([draft.id]);
    expect((await cast.agent.client.data(ArticleDocument, { slug: draft.slug })).article?.status).toBe('DRAFT');
    expect((await cast.agent.client.data(ArticleNodeDocument, { id: archived.id })).node).toMatchObject({ status: 'ARCHIVED' });
    const { searchArticles } = await cast.agent.client.data(SearchArticlesDocument, { query: 'refund', status: ['DRAFT', 'ARCHIVED', 'PUBLISHED'] });
    expect(new Set(searchArticles.map((hit) => hit.article.id))).toEqual(new Set([draft.id, archived.id, published.id]));
  });
});

describe('the articles list', () => {
  beforeAll(async () => {
    for (let i = 1; i <= 5; i++) await publishedArticle(cast.agent.client, { title: `Paging article ${i}`, category: 'paging', tags: i % 2 ? ['odd'] : ['even'] });
  });

  it('pages newest first with cursors and a total count', async () => {
    const first = await server.anonymous.data(ArticlesDocument, { first: 2, filter: { category: 'paging' } });
    expect(first.articles.totalCount).toBe(5);
    expect(first.articles.nodes.map((node) => node.title)).toEqual(['Paging article 5', 'Paging article 4']);
    expect(first.articles.pageInfo.hasNextPage).toBe(true);
    const second = await server.anonymous.data(ArticlesDocument, { first: 2, after: first.articles.pageInfo.endCursor, filter: { category: 'paging' } });
    expect(second.articles.nodes.map((node) => node.title)).toEqual(['Paging article 3', 'Paging article 2']);
    const third = await server.anonymous.data(ArticlesDocument, { first: 2, after: second.articles.pageInfo.endCursor, filter: { category: 'paging' } });
    expect(third.articles.nodes.map((node) => node.title)).toEqual(['Paging article 1']);
    expect(third.articles.pageInfo.hasNextPage).toBe(false);
  });

  it('filters by tag, case-insensitively', async () => {
    const { articles } = await server.anonymous.data(ArticlesDocument, { filter: { category: 'paging', tag: 'ODD' } });
    expect(articles.nodes.map((node) => node.title)).toEqual(['Paging article 5', 'Paging article 3', 'Paging article 1']);
  });

  it('rejects a cursor that is not one of this list', async () => {
    expect((await server.anonymous.error('BAD_USER_INPUT', ArticlesDocument, { after: 'nonsense' })).extensions?.field).toBe('after');
    const searched = await server.anonymous.data(ArticlesDocument, { first: 1, filter: { search: 'paging' } });
    const error = await server.anonymous.error('BAD_USER_INPUT', ArticlesDocument, { first: 1, after: searched.articles.pageInfo.endCursor });
    expect(error.extensions?.field).toBe('after');
  });

  it('loads authors in one batch, however many articles there are', async () => {
    const count = async (first: number) =>
      (await server.countQueries(() => cast.customerA.client.data(ArticlesWithAuthorsDocument, { first }))).count;
    const few = await count(2);
    const many = await count(20);
    expect(many).toBe(few);
  });
});
