import { ArticleStatus } from '../../../src/modules/articles/article.enums';
import { articleTransitionProblem, publishedAtAfter } from '../../../src/modules/articles/article.workflow';

const { DRAFT, PUBLISHED, ARCHIVED } = ArticleStatus;

describe('article workflow', () => {
  it.each([
    [DRAFT, PUBLISHED],
    [PUBLISHED, ARCHIVED],
    [PUBLISHED, DRAFT],
    [ARCHIVED, DRAFT],
    [ARCHIVED, PUBLISHED],
    [DRAFT, DRAFT],
    [PUBLISHED, PUBLISHED],
    [ARCHIVED, ARCHIVED],
  ])('allows %s → %s', (from, to) => {
    expect(articleTransitionProblem(from, to)).toBeNull();
  });

  it('does not archive a draft that was never published', () => {
    expect(articleTransitionProblem(DRAFT, ARCHIVED)).toMatch(/only a PUBLISHED one can be archived/);
  });

  it('sets publishedAt on the first publication only', () => {
    const first = new Date('2026-01-01T00:00:00Z');
    const later = new Date('2026-06-01T00:00:00Z');
    expect(publishedAtAfter(null, PUBLISHED, first)).toBe(first);
    expect(publishedAtAfter(first, PUBLISHED, later)).toBe(first);
    expect(publishedAtAfter(first, DRAFT, later)).toBe(first);
    expect(publishedAtAfter(null, DRAFT, later)).toBeNull();
  });
});
