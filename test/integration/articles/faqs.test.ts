import { ArticleNodeDocument, CreateFaqDocument, DeleteFaqDocument, FaqsDocument, UpdateFaqDocument } from '../../__generated__/graphql';
import { createCast, type Cast } from '../../support/factories';
import { startTestServer, type TestServer } from '../../support/server';
import { createFaq } from './kb-helpers';

let server: TestServer;
let cast: Cast;

beforeAll(async () => {
  server = await startTestServer();
  cast = await createCast(server);
});
afterAll(() => server.stop());

/** The category's questions in order, as the staff see them (unpublished included). */
async function order(category: string): Promise<string[]> {
  const { faqs } = await cast.agent.client.data(FaqsDocument, { category, includeUnpublished: true });
  expect(faqs.map((faq) => faq.position)).toEqual(faqs.map((_, i) => i + 1));
  return faqs.map((faq) => faq.question);
}

describe('FAQ ordering', () => {
  it('appends to the end of the category by default', async () => {
    for (const question of ['One', 'Two', 'Three']) await createFaq(cast.agent.client, { question, category: 'append' });
    expect(await order('append')).toEqual(['One', 'Two', 'Three']);
  });

  it('inserts at a position, moving the rest down; a position past the end appends', async () => {
    for (const question of ['A', 'C']) await createFaq(cast.agent.client, { question, category: 'insert' });
    await createFaq(cast.agent.client, { question: 'B', category: 'insert', position: 2 });
    await createFaq(cast.agent.client, { question: 'Zero', category: 'insert', position: 1 });
    const last = await createFaq(cast.agent.client, { question: 'Last', category: 'insert', position: 99 });
    expect(last.position).toBe(5);
    expect(await order('insert')).toEqual(['Zero', 'A', 'B', 'C', 'Last']);
  });

  it('moves a question up and down within its category, keeping positions dense', async () => {
    const faqs = [];
    for (const question of ['q1', 'q2', 'q3', 'q4', 'q5']) faqs.push(await createFaq(cast.agent.client, { question, category: 'move' }));
    await cast.agent.client.data(UpdateFaqDocument, { input: { id: faqs[3].id, position: 1 } });
    expect(await order('move')).toEqual(['q4', 'q1', 'q2', 'q3', 'q5']);
    await cast.agent.client.data(UpdateFaqDocument, { input: { id: faqs[0].id, position: 4 } });
    expect(await order('move')).toEqual(['q4', 'q2', 'q3', 'q1', 'q5']);
    const { updateFaq } = await cast.agent.client.data(UpdateFaqDocument, { input: { id: faqs[4].id, position: 50 } });
    expect(updateFaq.faq.position).toBe(5);
    expect(await order('move')).toEqual(['q4', 'q2', 'q3', 'q1', 'q5']);
  });

  it('moves a question to another category: the old one closes up, the new one makes room', async () => {
    const [, middle] = [
      await createFaq(cast.agent.client, { question: 'from-1', category: 'from' }),
      await createFaq(cast.agent.client, { question: 'from-2', category: 'from' }),
      await createFaq(cast.agent.client, { question: 'from-3', category: 'from' }),
    ];
    for (const question of ['to-1', 'to-2']) await createFaq(cast.agent.client, { question, category: 'to' });
    const { updateFaq } = await cast.agent.client.data(UpdateFaqDocument, { input: { id: middle.id, category: 'to', position: 2 } });
    expect(updateFaq.faq).toMatchObject({ category: 'to', position: 2 });
    expect(await order('from')).toEqual(['from-1', 'from-3']);
    expect(await order('to')).toEqual(['to-1', 'from-2', 'to-2']);
  });

  it('closes the gap when a question is deleted', async () => {
    const faqs = [];
    for (const question of ['d1', 'd2', 'd3']) faqs.push(await createFaq(cast.agent.client, { question, category: 'delete' }));
    expect((await cast.admin.client.data(DeleteFaqDocument, { id: faqs[0].id })).deleteFaq).toBe(true);
    expect(await order('delete')).toEqual(['d2', 'd3']);
    await cast.admin.client.error('NOT_FOUND', DeleteFaqDocument, { id: faqs[0].id });
  });

  it('keeps positions dense when questions are added and moved at the same moment', async () => {
    const existing = [];
    for (const question of ['r1', 'r2', 'r3']) existing.push(await createFaq(cast.agent.client, { question, category: 'race' }));
    await Promise.all([
      ...Array.from({ length: 5 }, (_, i) => createFaq(cast.agent.client, { question: `new-${i}`, category: 'race', position: 1 })),
      cast.agent.client.data(UpdateFaqDocument, { input: { id: existing[2].id, position: 1 } }),
      cast.supervisor.client.data(UpdateFaqDocument, { input: { id: existing[0].id, position: 3 } }),
    ]);
    const questions = await order('race');
    expect(questions).toHaveLength(8);
    expect(new Set(questions).size).toBe(8);
  });

  it('orders uncategorized questions as a group of their own', async () => {
    await createFaq(cast.agent.client, { question: 'Loose 1' });
    await createFaq(cast.agent.client, { question: 'Loose 2', category: '  ' });
    await createFaq(cast.agent.client, { question: 'Loose 0', position: 1 });
    const { faqs } = await server.anonymous.data(FaqsDocument, { category: '' });
    expect(faqs.map((faq) => [faq.question, faq.category, faq.position])).toEqual([
      ['Loose 0', null, 1],
      ['Loose 1', null, 2],
      ['Loose 2', null, 3],
    ]);
  });
});

describe('reading FAQs', () => {
  let hidden: { id: string };

  beforeAll(async () => {
    await createFaq(cast.agent.client, { question: 'Visible 1', category: 'reading' });
    hidden = await createFaq(cast.agent.client, { question: 'Hidden 2', category: 'reading', published: false });
    await createFaq(cast.agent.client, { question: 'Visible 3', category: 'reading' });
  });

  it('shows customers and anonymous readers the published ones, in order, whatever they ask', async () => {
    for (const client of [server.anonymous, cast.customerA.client]) {
      for (const includeUnpublished of [undefined, true]) {
        const { faqs } = await client.data(FaqsDocument, { category: 'reading', includeUnpublished });
        expect(faqs.map((faq) => [faq.question, faq.position])).toEqual([
          ['Visible 1', 1],
          ['Visible 3', 3],
        ]);
      }
      expect((await client.data(ArticleNodeDocument, { id: hidden.id })).node).toBeNull();
    }
  });

  it('shows staff the unpublished ones when they ask', async () => {
    expect((await cast.agent.client.data(FaqsDocument, { category: 'reading' })).faqs).toHaveLength(2);
    expect(await order('reading')).toEqual(['Visible 1', 'Hidden 2', 'Visible 3']);
    expect((await cast.agent.client.data(ArticleNodeDocument, { id: hidden.id })).node).toMatchObject({ __typename: 'Faq', published: false });
  });

  it('lists every category without a category argument, by category then position', async () => {
    const { faqs } = await server.anonymous.data(FaqsDocument, {});
    const keys = faqs.map((faq) => [faq.category ?? '', faq.position] as const);
    const sorted = [...keys].sort(([c1, p1], [c2, p2]) => (c1 === c2 ? p1 - p2 : c1 < c2 ? -1 : 1));
    expect(keys).toEqual(sorted);
    expect(faqs.every((faq) => faq.published)).toBe(true);
  });

  it('publishes and unpublishes through updateFaq', async () => {
    await cast.agent.client.data(UpdateFaqDocument, { input: { id: hidden.id, published: true } });
    expect((await server.anonymous.data(FaqsDocument, { category: 'reading' })).faqs.map((faq) => faq.question)).toEqual(['Visible 1', 'Hidden 2', 'Visible 3']);
    await cast.agent.client.data(UpdateFaqDocument, { input: { id: hidden.id, published: false, question: 'Hidden again 2', answer: 'New answer' } });
    const { faqs } = await cast.agent.client.data(FaqsDocument, { category: 'reading', includeUnpublished: true });
    expect(faqs[1]).toMatchObject({ question: 'Hidden again 2', answer: 'New answer', published: false });
  });
});

describe('FAQ input validation', () => {
  const valid = { question: 'Valid?', answer: 'Yes.' };
  it.each([
    ['question', { ...valid, question: '' }],
    ['question', { ...valid, question: ' ' }],
    ['question', { ...valid, question: 'x'.repeat(301) }],
    ['answer', { ...valid, answer: '' }],
    ['answer', { ...valid, answer: 'x'.repeat(10_001) }],
    ['category', { ...valid, category: 'x'.repeat(101) }],
    ['position', { ...valid, position: 0 }],
    ['position', { ...valid, position: -3 }],
  ])('createFaq rejects a bad %s with BAD_USER_INPUT naming it', async (field, input) => {
    const error = await cast.agent.client.error('BAD_USER_INPUT', CreateFaqDocument, { input });
    expect(error.extensions?.field).toBe(field);
  });

  it('updateFaq validates too, and answers NOT_FOUND for an unknown FAQ', async () => {
    const faq = await createFaq(cast.agent.client, { question: 'Validate my update?' });
    expect((await cast.agent.client.error('BAD_USER_INPUT', UpdateFaqDocument, { input: { id: faq.id, position: 0 } })).extensions?.field).toBe('position');
    expect((await cast.agent.client.error('BAD_USER_INPUT', UpdateFaqDocument, { input: { id: faq.id, answer: '' } })).extensions?.field).toBe('answer');
    await cast.agent.client.error('NOT_FOUND', UpdateFaqDocument, { input: { id: 'faq_00000000000000000000000000', question: 'x' } });
  });
});
