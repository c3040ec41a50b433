import type { EntityManager } from '@mikro-orm/postgresql';
import { execute } from '../sql';

/** What to run, and when and how. */
export interface JobSpec {
  kind: string;
  /** JSON; ids rather than whole objects, so the handler reads the current state. */
  payload: Record<string, unknown>;
  /** Run no earlier than this many milliseconds after the enqueuing transaction started (database time). */
  delayMs?: number;
  /** Jobs with the same key run one at a time, in enqueue order. */
  groupKey?: string | null;
  /** A job with this key already exists (pending or done): this enqueue does nothing. */
  dedupeKey?: string | null;
}

/**
 * Adds a job in the caller's transaction: it becomes visible to workers when that transaction
 * commits, and never exists if it rolls back. Returns false when `dedupeKey` was already taken.
 */
export async function enqueueJob(em: EntityManager, spec: JobSpec): Promise<boolean> {
  const rows = await execute<{ id: string }>(
    em,
    `insert into jobs (kind, payload, group_key, dedupe_key, run_at)
     values (?, ?::jsonb, ?, ?, now() + ? * interval '1 millisecond')
     on conflict (dedupe_key) do nothing
     returning id`,
    [spec.kind, JSON.stringify(spec.payload), spec.groupKey ?? null, spec.dedupeKey ?? null, Math.max(0, spec.delayMs ?? 0)],
  );
  return rows.length > 0;
}

/** A claimed job, as its handler sees it. */
export interface RunningJob<P = Record<string, unknown>> {
  id: string;
  kind: string;
  payload: P;
  /** 1 on the first run. */
  attempt: number;
  createdAt: Date;
  /**
   * Marks the job done inside the caller's transaction, so its effect and its completion commit
   * together: exactly once. Throws `LostClaimError` (rolling that transaction back) when this run
   * no longer owns the job, e.g. its lease ran out and another worker finished it.
   */
  complete(em: EntityManager): Promise<void>;
}

export interface JobHandler<P = Record<string, unknown>> {
  kind: string;
  /**
   * Does the work. Returning marks the job done (unless `complete` already did); throwing retries
   * it later with backoff, or gives it up on `PermanentJobError` or after the last attempt.
   */
  run(job: RunningJob<P>): Promise<void>;
  /** Attempts before giving up; the runner's default otherwise. */
  maxAttempts?: number;
  /** Called once when the job is given up (e.g. to record a failed delivery). */
  onGiveUp?(job: RunningJob<P>, error: unknown): Promise<void>;
}

/** A failure that retrying cannot fix (a rejected recipient, a deleted ticket): the job is given up now. */
export class PermanentJobError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PermanentJobError';
  }
}

/** A failure with a known wait (HTTP 429 Retry-After): the next attempt waits at least `retryAfterMs`. */
export class RetryLaterError extends Error {
  constructor(
    message: string,
    readonly retryAfterMs: number,
  ) {
    super(message);
    this.name = 'RetryLaterError';
  }
}

/** This run lost its claim on the job; whatever it was about to commit must not commit. */
export class LostClaimError extends Error {
  constructor(jobId: string) {
    super(`job ${jobId} is no longer claimed by this run`);
    this.name = 'LostClaimError';
  }
}
