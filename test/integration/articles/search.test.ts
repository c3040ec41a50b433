import {
  ArticlesDocument,
  KbCreateTicketWithSuggestionsDocument,
  KbTicketsWithSuggestionsDocument,
  SearchArticlesDocument,
  SearchFaqsDocument,
  SuggestedArticlesDocument,
} from '../../__generated__/graphql';
import { createCast, type Cast } from '../../support/factories';
import { startTestServer, type TestServer } from '../../support/server';
import { createFaq, draftArticle, publishedArticle, ticketOf, type ArticleRef } from './kb-helpers';

let server: TestServer;
let cast: Cast;
const a: Record<string, ArticleRef> = {};

beforeAll(async () => {
  server = await startTestServer();
  cast = await createCast(server);
  const write = (key: string, title: string, body: string, extra: { tags?: string[]; category?: string } = {}) =>
    publishedArticle(cast.agent.client, { title, body, ...extra }).then((article) => (a[key] = article));
  await write('resetPassword', 'Reset your password', 'Open the settings and choose a new secret.', { tags: ['account'], category: 'account' });
  await write('security', 'Account security basics', 'Never share your password with anyone. A strong password has twelve characters.', { category: 'account' });
  await write('profile', 'Keeping your profile tidy', 'Nothing about secrets here.', { tags: ['password'], category: 'account' });
  await write('withdraw', 'How to withdraw your earnings', 'Withdrawals reach your bank in three business days.', { tags: ['payouts'], category: 'payments' });
  await write('fees', 'Bank transfer fees', 'We charge no fee for withdrawing to a local bank.', { tags: ['payouts', 'fees'], category: 'payments' });
  await write('statements', 'Earnings statements explained', 'Each month you receive a statement.', { category: 'payments' });
  await write('widget', 'Embedding the chat widget', 'Paste <script>alert("x")</script> the widget snippet & save your page.', { category: 'developers' });
  // Never found by customers: drafts are not part of the public index.
  await draftArticle(cast.agent.client, { title: 'Password policy draft', body: 'Passwords rotate monthly.' });
});
afterAll(() => server.stop());

const search = async (query: string, variables: { first?: number; category?: string } = {}) =>
  (await server.anonymous.data(SearchArticlesDocument, { query, ...variables })).searchArticles;
const ids = (hits: { article: { id: string } }[]) => hits.map((hit) => hit.article.id);

describe('ranking', () => {
  it('puts a title match before a tag match before a body match', async () => {
    const hits = await search('password');
    expect(ids(hits)).toEqual([a.resetPassword.id, a.profile.id, a.security.id]);
    expect(hits[0].rank).toBeGreaterThan(hits[1].rank);
    expect(hits[1].rank).toBeGreaterThan(hits[2].rank);
  });

  it('orders articles(filter: {search}) the same way, and pages through it with cursors', async () => {
    const seen: string[] = [];
    let after: string | null | undefined;
    for (let page = 0; page < 3; page++) {
      const { articles } = await server.anonymous.data(ArticlesDocument, { first: 1, after, filter: { search: 'password' } });
      expect(articles.totalCount).toBe(3);
      expect(articles.pageInfo.hasNextPage).toBe(page < 2);
      expect(articles.pageInfo.hasPreviousPage).toBe(page > 0);
      seen.push(...articles.nodes.map((node) => node.id));
      after = articles.pageInfo.endCursor;
    }
    expect(seen).toEqual([a.resetPassword.id, a.profile.id, a.security.id]);
  });

  it('combines search with the other filters', async () => {
    expect(ids(await search('password', { category: 'payments' }))).toEqual([]);
    const { articles } = await server.anonymous.data(ArticlesDocument, { filter: { search: 'payouts', tag: 'fees' } });
    expect(articles.nodes.map((node) => node.id)).toEqual([a.fees.id]);
  });

  it('returns at most `first` hits', async () => {
    expect(await search('password', { first: 1 })).toHaveLength(1);
  });
});

describe('stemming and query syntax', () => {
  it.each(['withdrawing', 'withdrawals', 'Withdraws!'])('finds every form of a word: %s', async (query) => {
    expect(new Set(ids(await search(query)))).toEqual(new Set([a.withdraw.id, a.fees.id]));
  });

  it('understands quoted phrases and excluded words', async () => {
    expect(ids(await search('"bank transfer"'))).toEqual([a.fees.id]);
    expect(ids(await search('withdraw -fees'))).toEqual([a.withdraw.id]);
    expect(new Set(ids(await search('statement or widget')))).toEqual(new Set([a.statements.id, a.widget.id]));
  });

  it('finds nothing for blank text or stop words only', async () => {
    expect(await search('   ')).toEqual([]);
    expect(await search('the and of')).toEqual([]);
  });

  it('rejects an overlong query with BAD_USER_INPUT naming it', async () => {
    const error = await server.anonymous.error('BAD_USER_INPUT', SearchArticlesDocument, { query: 'x'.repeat(201) });
    expect(error.extensions?.field).toBe('query');
  });
});

describe('search as you type', () => {
  it('matches an unfinished last word as a prefix', async () => {
    expect(ids(await search('how to withdr'))[0]).toBe(a.withdraw.id);
    expect(ids(await search('passw'))).toEqual([a.resetPassword.id, a.profile.id, a.security.id]);
  });

  it('matches a prefix that runs past the stem of a title word', async () => {
    // "earnings" is stored stemmed as "earn", which "earnin" is not a prefix of; the title's
    // unstemmed words are indexed too, for exactly this.
    expect(ids(await search('earnin'))).toContain(a.statements.id);
  });

  it('treats a word followed by a space as finished', async () => {
    expect(ids(await search('fee '))).toEqual([a.fees.id]);
    expect(new Set(ids(await search('fe')))).toEqual(new Set([a.fees.id]));
  });
});

describe('highlights', () => {
  it('wraps the matched words of the passage and of the title in <mark>', async () => {
    const [hit] = await search('withdrawal');
    expect(hit.article.id).toBe(a.withdraw.id);
    expect(hit.highlight).toContain('<mark>Withdrawals</mark> reach your bank');
    expect(hit.titleHighlight).toBe('How to <mark>withdraw</mark> your earnings');
  });

  it('highlights prefix matches too', async () => {
    const [hit] = await search('passw');
    expect(hit.titleHighlight).toBe('Reset your <mark>password</mark>');
  });

  it('escapes the article text, so only <mark> tags are markup', async () => {
    const [hit] = await search('widget snippet');
    expect(hit.article.id).toBe(a.widget.id);
    expect(hit.highlight).toContain('<mark>snippet</mark>');
    expect(hit.highlight.replace(/<\/?mark>/g, '')).not.toMatch(/[<>]/);
    expect(hit.highlight).toContain('&amp;');
  });
});

describe('FAQ search', () => {
  it('finds published questions by stem and prefix, highlighted, never unpublished ones', async () => {
    const faq = await createFaq(cast.agent.client, { question: 'Can I change my password?', answer: 'Yes: passwords can be changed in settings.' });
    await createFaq(cast.agent.client, { question: 'Password rules (internal)', answer: 'Draft answer.', published: false });
    const { searchFaqs } = await server.anonymous.data(SearchFaqsDocument, { query: 'passwords' });
    expect(searchFaqs.map((hit) => hit.faq.id)).toEqual([faq.id]);
    expect(searchFaqs[0].highlight).toContain('<mark>passwords</mark>');
    expect((await server.anonymous.data(SearchFaqsDocument, { query: 'chan' })).searchFaqs.map((hit) => hit.faq.id)).toEqual([faq.id]);
  });
});

describe('suggestedArticles', () => {
  it('suggests the articles that best match the ticket, best first', async () => {
    const ticketId = await ticketOf(server, cast.customerA, 'I cannot withdraw my earnings', 'The withdrawal to my bank failed twice this week.');
    const { suggestedArticles } = await cast.customerA.client.data(SuggestedArticlesDocument, { ticketId });
    expect(suggestedArticles[0].id).toBe(a.withdraw.id);
    expect(suggestedArticles.map((article) => article.id)).toContain(a.fees.id);
    expect(suggestedArticles.map((article) => article.id)).not.toContain(a.widget.id);
  });

  it('weighs the subject over the description', async () => {
    const ticketId = await ticketOf(server, cast.customerA, 'Forgot my password', 'Also, where do I see my earnings statement?');
    const { suggestedArticles } = await cast.agent.client.data(SuggestedArticlesDocument, { ticketId, first: 2 });
    expect(suggestedArticles).toHaveLength(2);
    expect(suggestedArticles[0].id).toBe(a.resetPassword.id);
  });

  it('come with a new ticket', async () => {
    const { createTicket } = await cast.customerA.client.data(KbCreateTicketWithSuggestionsDocument, {
      input: { subject: 'Withdrawal stuck', description: 'My earnings have not reached my bank.' },
    });
    expect(createTicket.ticket.suggestedArticles[0].id).toBe(a.withdraw.id);
  });

  it('are found for a whole list of tickets in one statement', async () => {
    for (let i = 0; i < 4; i++) await ticketOf(server, cast.customerB, `Password trouble ${i}`, 'Cannot sign in.');
    const { result, statements } = await server.countQueries(() => cast.customerB.client.data(KbTicketsWithSuggestionsDocument, { first: 4 }));
    expect(result.tickets.nodes).toHaveLength(4);
    for (const ticket of result.tickets.nodes) {
      expect(ticket.suggestedArticles.map((article) => article.id)).toEqual([a.resetPassword.id, a.profile.id]);
    }
    expect(statements.filter((sql) => sql.includes('cross join lateral')).length).toBe(1);
  });

  it('suggests nothing for a ticket without significant words', async () => {
    const ticketId = await ticketOf(server, cast.customerA, 'Hi', '?');
    expect((await cast.customerA.client.data(SuggestedArticlesDocument, { ticketId })).suggestedArticles).toEqual([]);
  });

  it("answers NOT_FOUND for someone else's ticket or no ticket, and UNAUTHENTICATED without a token", async () => {
    const ticketId = await ticketOf(server, cast.customerA, 'Reset password', 'Please help');
    await cast.customerB.client.error('NOT_FOUND', SuggestedArticlesDocument, { ticketId });
    await cast.customerB.client.error('NOT_FOUND', SuggestedArticlesDocument, { ticketId: 'tkt_00000000000000000000000000' });
    await cast.customerB.client.error('NOT_FOUND', SuggestedArticlesDocument, { ticketId: a.withdraw.id });
    await server.anonymous.error('UNAUTHENTICATED', SuggestedArticlesDocument, { ticketId });
  });
});
