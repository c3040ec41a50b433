import { ArticleStatus } from './article.enums';

/**
 * The article workflow as pure functions: DRAFT → PUBLISHED → ARCHIVED, and back to DRAFT (or
 * republished) from either. Services apply these; the unit tests pin them down.
 */
const ALLOWED_FROM: Record<ArticleStatus, readonly ArticleStatus[]> = {
  [ArticleStatus.PUBLISHED]: [ArticleStatus.DRAFT, ArticleStatus.ARCHIVED],
  // A draft has never been public: there is nothing to withdraw.
  [ArticleStatus.ARCHIVED]: [ArticleStatus.PUBLISHED],
  [ArticleStatus.DRAFT]: [ArticleStatus.PUBLISHED, ArticleStatus.ARCHIVED],
};

/** Null when the article may move from `from` to `to` (staying put included), else why not. */
export function articleTransitionProblem(from: ArticleStatus, to: ArticleStatus): string | null {
  if (from === to || ALLOWED_FROM[to].includes(from)) return null;
  return `A ${from} article cannot become ${to}; only a PUBLISHED one can be archived.`;
}

/** `publishedAt` after a move: set on the first publication, kept through archiving and republishing. */
export function publishedAtAfter(current: Date | null | undefined, to: ArticleStatus, now: Date): Date | null {
  return current ?? (to === ArticleStatus.PUBLISHED ? now : null);
}
