import { randomBytes } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Pool } from 'pg';
import type { Logger } from 'pino';
import { LostClaimError, PermanentJobError, RetryLaterError, type JobHandler, type JobSpec, type RunningJob } from './jobs';

export interface JobRunnerOptions {
  /** How often an idle worker looks for due jobs. */
  pollIntervalMs: number;
  /** Jobs run at once by this worker. */
  concurrency: number;
  /** Attempts before a job is given up, unless its handler says otherwise. */
  maxAttempts: number;
  /** Backoff: `retryBaseMs * 2^(attempt-1)`, at most `retryMaxMs`, with ±20 % jitter. */
  retryBaseMs: number;
  retryMaxMs: number;
  /**
   * How long a claim holds. A worker that crashes mid-job leaves it claimed until then; another
   * worker then takes it over. Must outlast the slowest handler (theirs time out much sooner).
   */
  leaseMs: number;
}

interface ClaimedRow {
  id: string;
  kind: string;
  payload: Record<string, unknown>;
  attempts: number;
  claim_token: string;
  created_at: Date;
}

/**
 * Runs jobs from the `jobs` table. Any number of instances may run one: a job is claimed with
 * `FOR UPDATE SKIP LOCKED` and a lease, so exactly one worker runs it at a time; a crashed
 * worker's job is taken over when its lease ends, so nothing is lost; jobs of one group run in
 * order, one at a time. Delivery to the outside world is therefore at least once: a crash after
 * sending but before recording it sends again. Handlers whose effect is a database write commit it
 * together with the job (`complete(em)`), which makes those exactly once.
 *
 * Polling and bookkeeping use a small pool of their own, so the worker never competes with
 * requests for connections (and never shows up in a request's statement count).
 */
export class JobRunner {
  private readonly handlers: Map<string, JobHandler<never>>;
  private readonly pool: Pool;
  private running?: Promise<void>;
  private stopped = true;
  private wakeUp?: () => void;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    databaseUrl: string,
    handlers: JobHandler<never>[],
    private readonly options: JobRunnerOptions,
    private readonly logger: Logger,
  ) {
    this.handlers = new Map(handlers.map((handler) => [handler.kind, handler]));
    this.pool = new Pool({ connectionString: databaseUrl, max: 2, idleTimeoutMillis: 10_000 });
    // An idle client losing its connection (a database restart) must not crash the process.
    this.pool.on('error', (error) => this.logger.warn({ err: error }, 'job worker connection lost'));
  }

  /** Kinds this runner can run. */
  get kinds(): string[] {
    return [...this.handlers.keys()];
  }

  start(): void {
    if (!this.stopped || this.handlers.size === 0) return;
    this.stopped = false;
    this.running = this.loop();
  }

  /**
   * Queues a job on its own, outside any business transaction (housekeeping such as a periodic
   * sweep). Work caused by a change goes through `enqueueJob` in that change's transaction instead.
   */
  async enqueue(spec: JobSpec): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      `insert into jobs (kind, payload, group_key, dedupe_key, run_at)
       values ($1, $2::jsonb, $3, $4, now() + $5 * interval '1 millisecond')
       on conflict (dedupe_key) do nothing`,
      [spec.kind, JSON.stringify(spec.payload), spec.groupKey ?? null, spec.dedupeKey ?? null, Math.max(0, spec.delayMs ?? 0)],
    );
    return rowCount === 1;
  }

  /** Looks for due jobs now instead of at the next poll. */
  wake(): void {
    this.wakeUp?.();
  }

  /** Stops claiming, lets running jobs finish, closes the pool. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake();
    await this.running;
    await Promise.allSettled([...this.inFlight]);
    await this.pool.end();
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      let claimed = 0;
      try {
        claimed = await this.claimAndRun();
      } catch (error) {
        this.logger.warn({ err: error }, 'job worker could not claim jobs; retrying');
      }
      // A full batch suggests more are due: look again at once.
      if (claimed < this.options.concurrency && !this.stopped) await this.sleep(this.options.pollIntervalMs);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const self = this;
      function done() {
        clearTimeout(timer);
        if (self.wakeUp === done) self.wakeUp = undefined;
        resolve();
      }
      this.wakeUp = done;
    });
  }

  /** Claims up to `concurrency` due jobs and runs them; resolves when all of them are finished. */
  private async claimAndRun(): Promise<number> {
    const rows = await this.claim(this.options.concurrency);
    await Promise.allSettled(rows.map((row) => this.track(this.runOne(row))));
    return rows.length;
  }

  private track(work: Promise<void>): Promise<void> {
    this.inFlight.add(work);
    return work.finally(() => this.inFlight.delete(work));
  }

  /**
   * Due: not done, not given up, `run_at` reached, not under someone's live lease, and (for a
   * group) no older unfinished job in the same group. A group's later jobs wait for its earlier
   * ones even while those back off, which keeps a conversation's messages in order.
   */
  private async claim(limit: number): Promise<ClaimedRow[]> {
    const token = randomBytes(9).toString('base64url');
    const { rows } = await this.pool.query<ClaimedRow>(
      `with due as (
         select j.id from jobs j
          where j.done_at is null and j.failed_at is null and j.run_at <= now()
            and (j.locked_until is null or j.locked_until < now())
            and j.kind = any($1::text[])
            and (j.group_key is null or not exists (
                  select 1 from jobs e
                   where e.group_key = j.group_key and e.id < j.id and e.done_at is null and e.failed_at is null))
          order by j.run_at, j.id
          limit $2
          for update of j skip locked)
       update jobs set attempts = jobs.attempts + 1,
                       claim_token = $3 || ':' || jobs.id,
                       locked_until = now() + $4 * interval '1 millisecond'
         from due where jobs.id = due.id
       returning jobs.id::text as id, jobs.kind, jobs.payload, jobs.attempts, jobs.claim_token, jobs.created_at`,
      [this.kinds, limit, token, this.options.leaseMs],
    );
    return rows;
  }

  private async runOne(row: ClaimedRow): Promise<void> {
    const handler = this.handlers.get(row.kind)!;
    const maxAttempts = handler.maxAttempts ?? this.options.maxAttempts;
    let completed = false;
    const job: RunningJob<never> = {
      id: row.id,
      kind: row.kind,
      payload: row.payload as never,
      attempt: row.attempts,
      createdAt: row.created_at,
      complete: async (em: EntityManager) => {
        const result = await em
          .getConnection()
          .execute<{ affectedRows: number }>(
            `update jobs set done_at = now(), locked_until = null, last_error = null where id = ? and claim_token = ? and done_at is null`,
            [row.id, row.claim_token],
            'run',
            em.getTransactionContext(),
          );
        if (result.affectedRows !== 1) throw new LostClaimError(row.id);
        completed = true;
      },
    };
    const log = this.logger.child({ jobId: row.id, jobKind: row.kind, attempt: row.attempts });
    // A crash during the last attempt brings the job back once more: give it up instead of a run past the limit.
    if (row.attempts > maxAttempts) {
      await this.giveUp(handler, job, row, new Error('attempts exhausted (the last run did not finish)'), log);
      return;
    }
    const started = Date.now();
    try {
      await handler.run(job);
      if (!completed) await this.finish(row, `update jobs set done_at = now(), locked_until = null, last_error = null`);
      log.debug({ durationMs: Date.now() - started }, 'job done');
    } catch (error) {
      if (error instanceof LostClaimError) {
        log.warn('job was taken over by another worker; this run was rolled back');
        return;
      }
      if (error instanceof PermanentJobError || row.attempts >= maxAttempts) {
        await this.giveUp(handler, job, row, error, log);
        return;
      }
      const delay = this.backoff(row.attempts, error);
      log.warn({ err: error, retryInMs: delay }, 'job failed; will retry');
      await this.finish(
        row,
        `update jobs set run_at = now() + $3 * interval '1 millisecond', locked_until = null, last_error = $4`,
        [delay, describe(error)],
      );
    }
  }

  private async giveUp(handler: JobHandler<never>, job: RunningJob<never>, row: ClaimedRow, error: unknown, log: Logger): Promise<void> {
    log.error({ err: error }, 'job given up');
    try {
      await handler.onGiveUp?.(job, error);
    } catch (hookError) {
      log.error({ err: hookError }, 'job give-up hook failed');
    }
    await this.finish(row, `update jobs set failed_at = now(), locked_until = null, last_error = $3`, [describe(error)]);
  }

  /** Ends this run's claim with `update` (fenced by the claim token, so a stale run changes nothing). */
  private async finish(row: ClaimedRow, update: string, extra: unknown[] = []): Promise<void> {
    try {
      await this.pool.query(`${update} where id = $1 and claim_token = $2 and done_at is null and failed_at is null`, [row.id, row.claim_token, ...extra]);
    } catch (error) {
      // The lease runs out and the job is run again: at least once, never lost.
      this.logger.error({ err: error, jobId: row.id }, 'could not record the outcome of a job');
    }
  }

  private backoff(attempt: number, error: unknown): number {
    const exponential = Math.min(this.options.retryMaxMs, this.options.retryBaseMs * 2 ** (attempt - 1));
    const jittered = Math.round(exponential * (0.8 + Math.random() * 0.4));
    return error instanceof RetryLaterError ? Math.max(jittered, error.retryAfterMs) : jittered;
  }
}

function describe(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.slice(0, 2000);
}
