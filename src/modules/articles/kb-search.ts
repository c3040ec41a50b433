import { KB_SEARCH_CONFIG } from './kb-search.config';

/** A piece of SQL with its `?` bindings, in order. */
export interface SqlFragment {
  sql: string;
  params: unknown[];
}

/** Longest search text we parse; the inputs validate it, this is the last line of defence. */
export const MAX_SEARCH_LENGTH = 200;

/** Shorter unfinished words are not expanded: "w" would match half the help center. */
const MIN_PREFIX_LENGTH = 2;
const WORD = /^[\p{L}\p{N}]+$/u;

/**
 * The word a reader is still typing, if any: the last word when the text does not end with a
 * space, is a plain word (not `-excluded`, not inside an open "phrase", not the OR operator) and
 * is long enough to be worth expanding. `head` is everything before it.
 */
export function unfinishedWord(text: string): { head: string; word: string } | null {
  if (!text || /\s$/u.test(text)) return null;
  if ((text.match(/"/g)?.length ?? 0) % 2 === 1) return null;
  const match = /^(.*?)(\S+)$/su.exec(text);
  if (!match) return null;
  const [, head, word] = match;
  if (!WORD.test(word) || [...word].length < MIN_PREFIX_LENGTH || word.toLowerCase() === 'or') return null;
  return { head, word: word.toLowerCase() };
}

/**
 * The tsquery for what a reader typed, or null when there is nothing to search for.
 *
 * Everything typed goes through `websearch_to_tsquery` (quotes, `or`, `-word`, stemming). While
 * the reader is still typing a word, the query also accepts that word as a prefix, stemmed and as
 * typed, so "how to withdr" already finds "How to withdraw your earnings":
 * `complete || (head && (stemmed:* || typed:*))`.
 */
export function searchTsQuery(text: string): SqlFragment | null {
  const trimmed = text.trim().slice(0, MAX_SEARCH_LENGTH);
  if (!trimmed) return null;
  const complete = `websearch_to_tsquery('${KB_SEARCH_CONFIG}', ?)`;
  const unfinished = unfinishedWord(text.slice(0, MAX_SEARCH_LENGTH));
  if (!unfinished) return { sql: complete, params: [trimmed] };
  // The word is letters and digits only (see WORD), so it cannot smuggle tsquery operators in.
  const prefix = `${unfinished.word}:*`;
  return {
    sql: `(${complete} || (websearch_to_tsquery('${KB_SEARCH_CONFIG}', ?) && (to_tsquery('${KB_SEARCH_CONFIG}', ?) || to_tsquery('simple', ?))))`,
    params: [trimmed, unfinished.head, prefix, prefix],
  };
}

/**
 * SQL for a query that matches documents sharing any of the significant words of the text that
 * `textSql` yields (a bound `?` or a column such as `t.subject`): its lexemes, the most repeated
 * first, OR-ed together, so ranking puts the documents that share the most of them first.
 */
export function anyWordsTsQuery(textSql: string, maxTerms: number): string {
  return `(select coalesce(string_agg(quote_literal(w.lexeme), ' | ')::tsquery, ''::tsquery)
             from (select d.lexeme
                     from unnest(to_tsvector('${KB_SEARCH_CONFIG}', ${textSql})) d
                    where length(d.lexeme) > 1 and d.lexeme !~ '[''\\\\]'
                    order by cardinality(d.positions) desc, d.lexeme
                    limit ${Math.max(1, Math.trunc(maxTerms))}) w)`;
}

// Private-use characters: they cannot clash with the text, and they survive HTML escaping.
const START = '\uE000';
const STOP = '\uE001';

/** ts_headline options: the matched words between sentinels that `renderHighlight` turns into <mark>. */
export const HEADLINE_OPTIONS = `StartSel="${START}", StopSel="${STOP}", MaxWords=35, MinWords=12, ShortWord=2, MaxFragments=2, FragmentDelimiter=" … "`;

/** SQL for the highlighted passage of `column` (any sentinel already in the text is dropped first). */
export function headlineSql(column: string, tsquery: string): string {
  return `ts_headline('${KB_SEARCH_CONFIG}', translate(${column}, E'\\uE000\\uE001', ''), ${tsquery}, ?)`;
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * A headline as safe HTML: the text is escaped, so a `<script>` in an article body stays text,
 * and only the matched words are wrapped in `<mark></mark>`.
 */
export function renderHighlight(headline: string): string {
  return headline
    .replace(/[&<>"']/g, (char) => HTML_ESCAPES[char])
    .replaceAll(START, '<mark>')
    .replaceAll(STOP, '</mark>')
    .replace(/\s+/g, ' ')
    .trim();
}
