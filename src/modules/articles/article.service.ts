import { Cursor, type FilterQuery } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { RequestContext } from '../../server/context';
import { requireViewer } from '../../shared/auth/guards';
import {
  canDeleteKnowledgeBase,
  canEditKnowledgeBase,
  canReadArticle,
  canReadTicket,
  canSeeUnpublishedKnowledgeBase,
  canVoteOnKnowledgeBase,
} from '../../shared/auth/policies';
import type { Viewer } from '../../shared/auth/viewer';
import { badInput, conflict, forbidden, notFound, unauthenticated } from '../../shared/errors';
import { isIdOf } from '../../shared/ids';
import { DEFAULT_PAGE_SIZE, lazy, type ConnectionShape, type ForwardConnectionArgs } from '../../shared/pagination/connection';
import { checkConnectionArgs, paginate } from '../../shared/pagination/paginate';
import { emptyToNull, normalizeLabels } from '../../shared/text';
import { Ticket } from '../tickets/ticket.entity';
import { Article, ArticleSlug } from './article.entity';
import { ArticleStatus } from './article.enums';
import { articleTransitionProblem, publishedAtAfter } from './article.workflow';
import type { ArticleLookupArgs, ArticlesArgs, CreateArticleInput, SearchArticlesArgs, SuggestedArticlesArgs, UpdateArticleInput } from './article.inputs';
import type { ArticleSearchHit } from './article.payloads';
import { ARTICLE_FEEDBACK, readerKey, recordView, recordVote } from './feedback.service';
import { anyWordsTsQuery, HEADLINE_OPTIONS, headlineSql, renderHighlight, searchTsQuery, type SqlFragment } from './kb-search';
import { isUniqueViolation, kbTransaction } from './kb-transaction';
import { slugCandidate, slugify } from './slug';

const ARTICLE = 'Article';
const ALL_STATUSES = Object.values(ArticleStatus);
/** How often a create retries after losing a race for a generated slug. */
const SLUG_ATTEMPTS = 5;

const FORBIDDEN_WRITE = 'Only support staff may write the knowledge base.';

/**
 * The statuses a viewer's list or search covers: what they asked for (else `fallback`), narrowed
 * to PUBLISHED for customers and anonymous readers. Asking for drafts gets them nothing, rather
 * than something other than what they asked for.
 */
function visibleStatuses(viewer: Viewer | null, requested: readonly ArticleStatus[] | null | undefined, fallback: ArticleStatus[]): ArticleStatus[] {
  const wanted = requested?.length ? [...new Set(requested)] : fallback;
  return canSeeUnpublishedKnowledgeBase(viewer) ? wanted : wanted.filter((status) => status === ArticleStatus.PUBLISHED);
}

// ---------------------------------------------------------------- reading

/** For `node(id)` and loaders: the article if the viewer may read it, else null. */
export function readableOrNull(viewer: Viewer | null, article: Article | null): Article | null {
  return article && canReadArticle(viewer, article) ? article : null;
}

/**
 * One article by id or by slug (its current one or any earlier one). Drafts and archived
 * articles answer NOT_FOUND to customers and anonymous readers, exactly like a missing one.
 * A reader's first read of the day counts as a view (see `readerKey` for who counts).
 */
export async function getArticle(ctx: RequestContext, args: ArticleLookupArgs): Promise<Article> {
  const id = await resolveArticleId(ctx.em, args);
  const reader = readerKey(ctx.viewer, args.visitorId);
  // Counted before loading, so the article returned already carries the new count.
  if (id && reader) await recordView(ctx.em, ARTICLE_FEEDBACK, id, reader);
  const article = id ? await ctx.em.findOne(Article, { id }) : null;
  if (!article || !canReadArticle(ctx.viewer, article)) throw notFound(ARTICLE);
  return article;
}

/** The id an `article(id | slug)` lookup names (an earlier slug included), or null when none. */
async function resolveArticleId(em: EntityManager, { id, slug }: ArticleLookupArgs): Promise<string | null> {
  if (id != null && slug != null) throw badInput('slug', 'Pass either id or slug, not both.');
  if (id != null) return isIdOf(id, 'Article') ? id : null;
  if (slug == null) throw badInput('id', 'Pass either id or slug.');
  const found = await em.findOne(ArticleSlug, { slug: slug.trim().toLowerCase() }, { fields: ['article'] });
  return found?.article.id ?? null;
}

/** Filters that apply with and without a search, as SQL on alias `a`. */
interface ArticleConditions {
  statuses: ArticleStatus[];
  category: string | null;
  tag: string | null;
}

function conditionsSql(conditions: ArticleConditions): SqlFragment {
  // No status left (a customer asking for drafts): nothing matches.
  const sql = [conditions.statuses.length ? `a.status in (${conditions.statuses.map(() => '?').join(', ')})` : 'false'];
  const params: unknown[] = [...conditions.statuses];
  if (conditions.category) {
    sql.push('a.category = ?');
    params.push(conditions.category);
  }
  if (conditions.tag) {
    sql.push('a.tags @> array[?]::text[]');
    params.push(conditions.tag);
  }
  return { sql: sql.join(' and '), params };
}

/**
 * The `articles` connection. Without a search: newest first, keyset-paginated by (createdAt, id).
 * With one: best match first, keyset-paginated by (rank, id), through the same search as
 * `searchArticles`.
 */
export async function listArticles(ctx: RequestContext, args: ArticlesArgs): Promise<ConnectionShape<Article>> {
  const filter = args.filter ?? {};
  const conditions: ArticleConditions = {
    statuses: visibleStatuses(ctx.viewer, filter.status, ALL_STATUSES),
    category: emptyToNull(filter.category),
    tag: normalizeLabels(filter.tag ? [filter.tag] : [])[0] ?? null,
  };
  const query = filter.search ? searchTsQuery(filter.search) : null;
  if (query) return rankedArticles(ctx.em, conditions, query, args);
  const where: FilterQuery<Article> = {
    status: { $in: conditions.statuses },
    ...(conditions.category ? { category: conditions.category } : {}),
    ...(conditions.tag ? { tags: { $contains: [conditions.tag] } } : {}),
  };
  return paginate(ctx.em, Article, where, args, [{ createdAt: 'desc' }, { id: 'desc' }]);
}

/** Search cursors carry a marker, so a cursor of the unsearched list is refused rather than misread. */
const SEARCH_CURSOR = 'rank';

function decodeSearchCursor(after: string): { rank: number; id: string } {
  const [marker, rank, id] = Cursor.decode(after);
  if (marker !== SEARCH_CURSOR || typeof rank !== 'number' || typeof id !== 'string') throw badInput('after', 'after is not a cursor of this search.');
  return { rank, id };
}

/** The matching articles as (id, rank) on alias `m`, for a page or a count. */
function matchSql(conditions: ArticleConditions, query: SqlFragment): SqlFragment {
  const where = conditionsSql(conditions);
  return {
    sql: `select a.id, ts_rank(a.search_vector, q.query) as rank
            from articles a, (select ${query.sql} as query) q
           where a.search_vector @@ q.query and ${where.sql}`,
    params: [...query.params, ...where.params],
  };
}

async function rankedArticles(
  em: EntityManager,
  conditions: ArticleConditions,
  query: SqlFragment,
  args: ForwardConnectionArgs,
): Promise<ConnectionShape<Article>> {
  checkConnectionArgs(args, 3);
  const size = args.first ?? DEFAULT_PAGE_SIZE;
  const after = args.after ? decodeSearchCursor(args.after) : null;
  const match = matchSql(conditions, query);
  // ts_rank is a real: comparing it as real keeps the cursor's value exactly equal to itself.
  const rows = await em.execute<{ id: string; rank: number }[]>(
    `select m.id, m.rank from (${match.sql}) m
      ${after ? 'where m.rank < ?::real or (m.rank = ?::real and m.id > ?)' : ''}
      order by m.rank desc, m.id limit ?`,
    [...match.params, ...(after ? [after.rank, after.rank, after.id] : []), size + 1],
  );
  const page = rows.slice(0, size);
  const articles = await loadInOrder(em, page.map((row) => row.id));
  const edges = page.flatMap((row, index) => {
    const node = articles[index];
    return node ? [{ cursor: Cursor.encode([SEARCH_CURSOR, Number(row.rank), row.id]), node }] : [];
  });
  return {
    edges,
    nodes: edges.map((edge) => edge.node),
    pageInfo: {
      hasNextPage: rows.length > size,
      hasPreviousPage: after != null,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
    totalCount: lazy(async () => {
      const [row] = await em.fork().execute<{ count: number }[]>(`select count(*)::int as count from (${match.sql}) m`, match.params);
      return row.count;
    }),
  };
}

/** Articles by id in the given order (one query); ids that vanished meanwhile come back null. */
async function loadInOrder(em: EntityManager, ids: string[]): Promise<(Article | null)[]> {
  if (!ids.length) return [];
  const articles = await em.find(Article, { id: { $in: ids } });
  const byId = new Map(articles.map((article) => [article.id, article]));
  return ids.map((id) => byId.get(id) ?? null);
}

/**
 * The help-center search: stemmed, prefix-aware, ranked (title over tags over body), with the
 * matching passage highlighted. Published articles only, unless staff ask for other statuses.
 */
export async function searchArticles(ctx: RequestContext, args: SearchArticlesArgs): Promise<ArticleSearchHit[]> {
  const query = searchTsQuery(args.query);
  if (!query) return [];
  const conditions: ArticleConditions = {
    statuses: visibleStatuses(ctx.viewer, args.status, [ArticleStatus.PUBLISHED]),
    category: emptyToNull(args.category),
    tag: null,
  };
  const match = matchSql(conditions, query);
  // Headlines are costly: computed for the page only, after ranking and limiting.
  const rows = await ctx.em.execute<{ id: string; rank: number; highlight: string; title_highlight: string }[]>(
    `select m.id, m.rank,
            ${headlineSql('a.body', 'q.query')} as highlight,
            ${headlineSql('a.title', 'q.query')} as title_highlight
       from (${match.sql} order by rank desc, a.id limit ?) m
       join articles a on a.id = m.id
       cross join (select ${query.sql} as query) q
      order by m.rank desc, m.id`,
    [HEADLINE_OPTIONS, `${HEADLINE_OPTIONS}, HighlightAll=true`, ...match.params, args.first ?? 10, ...query.params],
  );
  const articles = await loadInOrder(ctx.em, rows.map((row) => row.id));
  return rows.flatMap((row, index) => {
    const article = articles[index];
    return article
      ? [{ article, rank: Number(row.rank), highlight: renderHighlight(row.highlight), titleHighlight: renderHighlight(row.title_highlight) }]
      : [];
  });
}

/** How much more a word of the ticket's subject counts than one of its description. */
const SUBJECT_WEIGHT = 2;
export const DEFAULT_SUGGESTIONS = 5;

/**
 * For each ticket, the published articles that best match its subject and description, best
 * first, as ids: those sharing the most of its significant words rank highest, a word of the
 * subject counting double. One statement for any number of tickets. No authorization here: the
 * callers decide who may see the tickets.
 */
export async function suggestionsForTickets(em: EntityManager, ticketIds: readonly string[], first: number): Promise<Map<string, string[]>> {
  const result = new Map<string, string[]>(ticketIds.map((id) => [id, []]));
  if (!ticketIds.length) return result;
  const rows = await em.execute<{ ticket_id: string; article_id: string }[]>(
    `select t.id as ticket_id, s.id as article_id
       from tickets t
       cross join lateral (
         select a.id, ? * ts_rank(a.search_vector, q.subject) + ts_rank(a.search_vector, q.description) as score
           from (select ${anyWordsTsQuery('t.subject', 16)} as subject,
                        ${anyWordsTsQuery(`coalesce(t.description, '')`, 32)} as description) q,
                articles a
          where a.status = 'PUBLISHED' and a.search_vector @@ (q.subject || q.description)
          order by score desc, a.id
          limit ?
       ) s
      where t.id in (${ticketIds.map(() => '?').join(', ')})
      order by t.id, s.score desc, s.id`,
    [SUBJECT_WEIGHT, first, ...ticketIds],
  );
  for (const row of rows) result.get(row.ticket_id)?.push(row.article_id);
  return result;
}

/**
 * `suggestedArticles(ticketId)`: the ticket's customer and staff may ask; for anyone else the
 * ticket does not exist.
 */
export async function suggestArticlesForTicket(ctx: RequestContext, args: SuggestedArticlesArgs): Promise<Article[]> {
  const viewer = requireViewer(ctx);
  if (!isIdOf(args.ticketId, 'Ticket')) throw notFound('Ticket');
  const ticket = await ctx.em.findOne(Ticket, { id: args.ticketId });
  if (!ticket || !canReadTicket(viewer, ticket)) throw notFound('Ticket');
  const ids = (await suggestionsForTickets(ctx.em, [ticket.id], args.first ?? DEFAULT_SUGGESTIONS)).get(ticket.id) ?? [];
  const articles = await loadInOrder(ctx.em, ids);
  return articles.filter((article): article is Article => article !== null);
}

// ---------------------------------------------------------------- writing

function requireEditor(ctx: RequestContext): Viewer {
  const viewer = requireViewer(ctx);
  if (!canEditKnowledgeBase(viewer)) throw forbidden(FORBIDDEN_WRITE);
  return viewer;
}

async function findForUpdate(em: EntityManager, id: string): Promise<Article> {
  if (!isIdOf(id, 'Article')) throw notFound(ARTICLE);
  const article = await em.findOne(Article, { id });
  if (!article) throw notFound(ARTICLE);
  return article;
}

/**
 * The first of `base`, `base-2`, `base-3`, … that no article has ever used. Creates from one base
 * take turns (a transaction-scoped lock on the base), so a burst of same-titled articles gets
 * consecutive suffixes instead of racing for the same one; the unique keys stay the backstop.
 */
async function freeSlug(em: EntityManager, base: string): Promise<string> {
  await em.execute(`select pg_advisory_xact_lock(hashtextextended(?, 0))`, [`parley:kb:slug:${base}`]);
  const taken = await em.find(ArticleSlug, { $or: [{ slug: base }, { slug: { $like: `${base}-%` } }] }, { fields: ['slug'] });
  const used = new Set(taken.map((row) => row.slug));
  for (let attempt = 1; ; attempt++) {
    const candidate = slugCandidate(base, attempt);
    if (!used.has(candidate)) return candidate;
  }
}

/**
 * Gives `article` the slug `slug`, recording it in its history. A slug another article has (or
 * had) answers CONFLICT; one of the article's own earlier slugs is simply taken back.
 */
async function claimSlug(em: EntityManager, article: Article, slug: string): Promise<void> {
  const existing = await em.findOne(ArticleSlug, { slug });
  if (existing && existing.article.id !== article.id) throw conflict('Another article uses (or used) this slug.', 'slug');
  if (!existing) em.create(ArticleSlug, { slug, article });
  article.slug = slug;
}

/**
 * Staff write a draft. The slug comes from the title unless given; a generated one that is taken
 * gets a suffix (`-2`, `-3`, …), a given one that is taken answers CONFLICT. The unique keys
 * decide races: a create that loses one retries with the next free suffix.
 */
export async function createArticle(ctx: RequestContext, input: CreateArticleInput): Promise<Article> {
  const viewer = requireEditor(ctx);
  const requested = input.slug ?? null;
  for (let attempt = 1; ; attempt++) {
    try {
      return await kbTransaction(ctx, async (em) => {
        const slug = requested ?? (await freeSlug(em, slugify(input.title)));
        if (requested && (await em.count(ArticleSlug, { slug: requested }))) throw conflict('Another article uses (or used) this slug.', 'slug');
        const article = em.create(Article, {
          slug,
          title: input.title.trim(),
          body: input.body,
          excerpt: emptyToNull(input.excerpt),
          metaDescription: emptyToNull(input.metaDescription),
          category: emptyToNull(input.category),
          tags: normalizeLabels(input.tags),
          author: viewer.userId,
        });
        em.create(ArticleSlug, { slug, article });
        return article;
      });
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      if (requested || attempt >= SLUG_ATTEMPTS) throw conflict('Another article uses (or used) this slug.', 'slug');
    }
  }
}

/** Staff edit any field. A new slug joins the article's history: its old links keep working. */
export async function updateArticle(ctx: RequestContext, input: UpdateArticleInput): Promise<Article> {
  requireEditor(ctx);
  try {
    return await kbTransaction(ctx, async (em) => {
      const article = await findForUpdate(em, input.id);
      if (input.title != null) article.title = input.title.trim();
      if (input.body != null) article.body = input.body;
      if (input.excerpt !== undefined) article.excerpt = emptyToNull(input.excerpt);
      if (input.metaDescription !== undefined) article.metaDescription = emptyToNull(input.metaDescription);
      if (input.category !== undefined) article.category = emptyToNull(input.category);
      if (input.tags != null) article.tags = normalizeLabels(input.tags);
      if (input.slug != null && input.slug !== article.slug) await claimSlug(em, article, input.slug);
      return article;
    });
  } catch (error) {
    // Two articles claiming one free slug at the same moment: the primary key of the history decides.
    if (isUniqueViolation(error)) throw conflict('Another article uses (or used) this slug.', 'slug');
    throw error;
  }
}

/**
 * Moves an article through DRAFT → PUBLISHED → ARCHIVED (and back to DRAFT, or republished).
 * Moving to the status it has is a no-op; `publishedAt` is set on the first publication only.
 */
export async function setArticleStatus(ctx: RequestContext, id: string, to: ArticleStatus): Promise<Article> {
  requireEditor(ctx);
  return kbTransaction(ctx, async (em) => {
    const article = await findForUpdate(em, id);
    const problem = articleTransitionProblem(article.status, to);
    if (problem) throw badInput('id', problem);
    article.status = to;
    article.publishedAt = publishedAtAfter(article.publishedAt, to, new Date());
    return article;
  });
}

/** Admins delete; its slugs, votes and views go with it. */
export async function deleteArticle(ctx: RequestContext, id: string): Promise<boolean> {
  const viewer = requireViewer(ctx);
  if (!canDeleteKnowledgeBase(viewer)) throw forbidden('Only admins may delete articles; archive it instead.');
  if (!isIdOf(id, 'Article')) throw notFound(ARTICLE);
  const deleted = await ctx.em.nativeDelete(Article, { id });
  if (!deleted) throw notFound(ARTICLE);
  ctx.loaders.clearAll();
  return true;
}

/**
 * Helpful / not helpful, once per person (a guest session is a person): voting again the other
 * way moves the vote. Published articles only; anonymous readers start a guest session first.
 */
export async function voteArticle(ctx: RequestContext, id: string, helpful: boolean): Promise<Article> {
  if (!ctx.viewer || !canVoteOnKnowledgeBase(ctx.viewer)) throw unauthenticated('Sign in or start a guest session to vote.');
  const article = isIdOf(id, 'Article') ? await ctx.em.findOne(Article, { id }) : null;
  if (!article || !canReadArticle(ctx.viewer, article)) throw notFound(ARTICLE);
  if (article.status !== ArticleStatus.PUBLISHED) throw badInput('id', 'Only published articles take votes.');
  await recordVote(ctx.em, ARTICLE_FEEDBACK, article.id, ctx.viewer.userId, helpful);
  ctx.loaders.clearAll();
  // The counters moved in SQL; read them back rather than guess.
  const fresh = await ctx.em.refresh(article);
  if (!fresh) throw notFound(ARTICLE);
  return fresh;
}
