/** Lower-case letters and digits in dash-separated runs: `how-to-withdraw-your-earnings`. */
export const SLUG_PATTERN = /^[\p{Ll}\p{Lo}\p{N}]+(?:-[\p{Ll}\p{Lo}\p{N}]+)*$/u;
export const SLUG_MAX = 100;

/** What a title with no letters or digits at all ("???") becomes. */
const FALLBACK = 'article';

/**
 * A slug from a title: accents dropped, lower-cased, anything but letters and digits turned into
 * single dashes, cut at a word boundary to leave room for a collision suffix.
 * "How to withdraw your earnings" → "how-to-withdraw-your-earnings"; "Crème brûlée" → "creme-brulee".
 */
export function slugify(title: string, maxLength = SLUG_MAX - 8): string {
  const words = title
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/['’]+/g, '')
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
  let slug = '';
  for (const word of words) {
    const next = slug ? `${slug}-${word}` : word;
    if (next.length > maxLength) break;
    slug = next;
  }
  // A single word longer than the limit is cut rather than dropped.
  if (!slug && words.length) slug = words[0].slice(0, maxLength);
  return slug || FALLBACK;
}

/** `base`, `base-2`, `base-3`, …: the n-th candidate for a slug whose base is taken. */
export function slugCandidate(base: string, attempt: number): string {
  return attempt <= 1 ? base : `${base}-${attempt}`;
}
