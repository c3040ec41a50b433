import { LockMode, type FilterQuery } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { RequestContext } from '../../server/context';
import { requireViewer } from '../../shared/auth/guards';
import {
  canDeleteKnowledgeBase,
  canEditKnowledgeBase,
  canReadFaq,
  canSeeUnpublishedKnowledgeBase,
  canVoteOnKnowledgeBase,
} from '../../shared/auth/policies';
import type { Viewer } from '../../shared/auth/viewer';
import { badInput, conflict, forbidden, notFound, unauthenticated } from '../../shared/errors';
import { isIdOf } from '../../shared/ids';
import { emptyToNull } from '../../shared/text';
import type { CreateFaqInput, FaqsArgs, RecordFaqViewArgs, SearchFaqsArgs, UpdateFaqInput } from './faq.inputs';
import { Faq } from './faq.entity';
import type { FaqSearchHit } from './faq.payloads';
import { FAQ_FEEDBACK, readerKey, recordView, recordVote } from './feedback.service';
import { HEADLINE_OPTIONS, headlineSql, renderHighlight, searchTsQuery } from './kb-search';
import { isUniqueViolation, kbTransaction } from './kb-transaction';

const FAQ = 'FAQ';

// ---------------------------------------------------------------- reading

/**
 * FAQs in display order: by category, then position. Published ones only, unless staff ask for
 * the unpublished too. `category: ""` is the uncategorized group.
 */
export async function listFaqs(ctx: RequestContext, args: FaqsArgs): Promise<Faq[]> {
  const where: FilterQuery<Faq> = {};
  if (!(args.includeUnpublished && canSeeUnpublishedKnowledgeBase(ctx.viewer))) where.published = true;
  if (args.category != null) where.categoryKey = emptyToNull(args.category) ?? '';
  return ctx.em.find(Faq, where, { orderBy: [{ categoryKey: 'asc' }, { position: 'asc' }] });
}

/** For `node(id)`: the FAQ if the viewer may read it, else null. */
export function readableFaqOrNull(viewer: Viewer | null, faq: Faq | null): Faq | null {
  return faq && canReadFaq(viewer, faq) ? faq : null;
}

async function findReadableFaq(ctx: RequestContext, id: string): Promise<Faq> {
  const faq = isIdOf(id, 'Faq') ? await ctx.em.findOne(Faq, { id }) : null;
  if (!faq || !canReadFaq(ctx.viewer, faq)) throw notFound(FAQ);
  return faq;
}

/** Published FAQs matching what the reader typed, best first, the answer's matching passage highlighted. */
export async function searchFaqs(ctx: RequestContext, args: SearchFaqsArgs): Promise<FaqSearchHit[]> {
  const query = searchTsQuery(args.query);
  if (!query) return [];
  const category = args.category != null ? (emptyToNull(args.category) ?? '') : null;
  const rows = await ctx.em.execute<{ id: string; rank: number; highlight: string }[]>(
    `select m.id, m.rank, ${headlineSql('f.answer', 'q.query')} as highlight
       from (select f.id, ts_rank(f.search_vector, q.query) as rank
               from faqs f, (select ${query.sql} as query) q
              where f.search_vector @@ q.query and f.published ${category != null ? 'and f.category_key = ?' : ''}
              order by rank desc, f.id limit ?) m
       join faqs f on f.id = m.id
       cross join (select ${query.sql} as query) q
      order by m.rank desc, m.id`,
    [HEADLINE_OPTIONS, ...query.params, ...(category != null ? [category] : []), args.first ?? 10, ...query.params],
  );
  const faqs = rows.length ? await ctx.em.find(Faq, { id: { $in: rows.map((row) => row.id) } }) : [];
  const byId = new Map(faqs.map((faq) => [faq.id, faq]));
  return rows.flatMap((row) => {
    const faq = byId.get(row.id);
    return faq ? [{ faq, rank: Number(row.rank), highlight: renderHighlight(row.highlight) }] : [];
  });
}

/** Counts a reader's first view of the day (see `readerKey`); returns the FAQ with its new count. */
export async function recordFaqView(ctx: RequestContext, args: RecordFaqViewArgs): Promise<Faq> {
  if (!isIdOf(args.id, 'Faq')) throw notFound(FAQ);
  const reader = readerKey(ctx.viewer, args.visitorId);
  // Counted before loading (and only for published FAQs, in SQL), so the FAQ returned carries the new count.
  if (reader) await recordView(ctx.em, FAQ_FEEDBACK, args.id, reader);
  return findReadableFaq(ctx, args.id);
}

// ---------------------------------------------------------------- writing

function requireEditor(ctx: RequestContext): Viewer {
  const viewer = requireViewer(ctx);
  if (!canEditKnowledgeBase(viewer)) throw forbidden('Only support staff may write the knowledge base.');
  return viewer;
}

/**
 * Serializes FAQ reordering. Moves are rare editorial actions, so one transaction-scoped lock for
 * all of them is simpler than per-category locks (which a move between categories would have to
 * take in a fixed order) and cannot deadlock; the deferred unique key on (category, position)
 * stays the backstop.
 */
async function lockOrdering(em: EntityManager): Promise<void> {
  await em.execute(`select pg_advisory_xact_lock(hashtextextended('parley:kb:faq-order', 0))`);
}

async function groupSize(em: EntityManager, categoryKey: string): Promise<number> {
  return em.count(Faq, { categoryKey });
}

/** Shifts positions `from`..`to` (inclusive; `to` null: to the end) of a category by `delta`. */
async function shift(em: EntityManager, categoryKey: string, from: number, to: number | null, delta: 1 | -1): Promise<void> {
  await em.execute(
    `update faqs set position = position + ? where category_key = ? and position >= ? ${to != null ? 'and position <= ?' : ''}`,
    [delta, categoryKey, from, ...(to != null ? [to] : [])],
    'run',
  );
}

const clamp = (value: number, min: number, max: number) => Math.min(Math.max(value, min), max);

/** Runs FAQ writes in one transaction under the ordering lock; a broken position key answers CONFLICT. */
async function orderedWrite<T>(ctx: RequestContext, work: (em: EntityManager) => Promise<T>): Promise<T> {
  try {
    return await kbTransaction(ctx, async (em) => {
      await lockOrdering(em);
      return work(em);
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw conflict('The FAQ order changed meanwhile; try again.', 'position');
    throw error;
  }
}

/** Staff add a question at `position` in its category (the end by default); those after it move down one. */
export async function createFaq(ctx: RequestContext, input: CreateFaqInput): Promise<Faq> {
  requireEditor(ctx);
  const category = emptyToNull(input.category);
  const key = category ?? '';
  return orderedWrite(ctx, async (em) => {
    const size = await groupSize(em, key);
    const position = clamp(input.position ?? size + 1, 1, size + 1);
    await shift(em, key, position, null, 1);
    return em.create(Faq, {
      question: input.question.trim(),
      answer: input.answer,
      category,
      position,
      published: input.published ?? false,
    });
  });
}

/**
 * Staff edit, publish or unpublish, and move a question within its category or to another one.
 * Positions stay dense in both categories: the others close up behind it and make room before it.
 */
export async function updateFaq(ctx: RequestContext, input: UpdateFaqInput): Promise<Faq> {
  requireEditor(ctx);
  if (!isIdOf(input.id, 'Faq')) throw notFound(FAQ);
  return orderedWrite(ctx, async (em) => {
    const faq = await em.findOne(Faq, { id: input.id }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
    if (!faq) throw notFound(FAQ);
    if (input.question != null) faq.question = input.question.trim();
    if (input.answer != null) faq.answer = input.answer;
    if (input.published != null) faq.published = input.published;

    const fromKey = faq.categoryKey ?? '';
    const category = input.category !== undefined ? emptyToNull(input.category) : (faq.category ?? null);
    const toKey = category ?? '';
    if (toKey !== fromKey) {
      // Leave the old category (closing the gap), then make room in the new one.
      await shift(em, fromKey, faq.position + 1, null, -1);
      const size = await groupSize(em, toKey);
      const position = clamp(input.position ?? size + 1, 1, size + 1);
      await shift(em, toKey, position, null, 1);
      faq.category = category;
      faq.position = position;
    } else if (input.position != null) {
      const size = await groupSize(em, fromKey);
      const position = clamp(input.position, 1, size);
      if (position < faq.position) await shift(em, fromKey, position, faq.position - 1, 1);
      if (position > faq.position) await shift(em, fromKey, faq.position + 1, position, -1);
      faq.position = position;
    }
    return faq;
  });
}

/** Admins delete a question; those after it in its category move up one. */
export async function deleteFaq(ctx: RequestContext, id: string): Promise<boolean> {
  const viewer = requireViewer(ctx);
  if (!canDeleteKnowledgeBase(viewer)) throw forbidden('Only admins may delete FAQs; unpublish it instead.');
  if (!isIdOf(id, 'Faq')) throw notFound(FAQ);
  return orderedWrite(ctx, async (em) => {
    const faq = await em.findOne(Faq, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
    if (!faq) throw notFound(FAQ);
    await em.nativeDelete(Faq, { id });
    await shift(em, faq.categoryKey ?? '', faq.position + 1, null, -1);
    return true;
  });
}

/** Helpful / not helpful, once per person; voting again the other way moves the vote. Published FAQs only. */
export async function voteFaq(ctx: RequestContext, id: string, helpful: boolean): Promise<Faq> {
  if (!ctx.viewer || !canVoteOnKnowledgeBase(ctx.viewer)) throw unauthenticated('Sign in or start a guest session to vote.');
  const faq = await findReadableFaq(ctx, id);
  if (!faq.published) throw badInput('id', 'Only published FAQs take votes.');
  await recordVote(ctx.em, FAQ_FEEDBACK, faq.id, ctx.viewer.userId, helpful);
  ctx.loaders.clearAll();
  const fresh = await ctx.em.refresh(faq);
  if (!fresh) throw notFound(FAQ);
  return fresh;
}
