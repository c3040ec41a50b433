import { SLUG_MAX, SLUG_PATTERN, slugCandidate, slugify } from '../../../src/modules/articles/slug';

describe('slugify', () => {
  it.each([
    ['How to withdraw your earnings', 'how-to-withdraw-your-earnings'],
    ['  Setting up 2FA -- quickly!  ', 'setting-up-2fa-quickly'],
    ['Crème brûlée', 'creme-brulee'],
    ["What's new in v2.1?", 'whats-new-in-v2-1'],
    ['Ünïcödé ÆØÅ', 'unicode-æøa'],
    ['注文をキャンセルする', '注文をキャンセルする'],
    ['???', 'article'],
    ['', 'article'],
  ])('%j → %j', (title, slug) => {
    expect(slugify(title)).toBe(slug);
    expect(slug).toMatch(SLUG_PATTERN);
  });

  it('cuts long titles at a word boundary, leaving room for a suffix', () => {
    const slug = slugify('word '.repeat(60));
    expect(slug.length).toBeLessThanOrEqual(SLUG_MAX - 8);
    expect(slug).toMatch(/^word(-word)*$/);
    expect(slugify('x'.repeat(300))).toHaveLength(SLUG_MAX - 8);
  });

  it('numbers candidates from the second on', () => {
    expect([1, 2, 3].map((n) => slugCandidate('faq', n))).toEqual(['faq', 'faq-2', 'faq-3']);
  });

  it('accepts only lower-case dash-separated slugs', () => {
    for (const bad of ['Upper', 'two  words', 'double--dash', '-leading', 'trailing-', 'under_score', '']) expect(bad).not.toMatch(SLUG_PATTERN);
  });
});
