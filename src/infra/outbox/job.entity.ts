import { Entity, Index, PrimaryKey, Property, type Opt } from '@mikro-orm/core';

/**
 * One unit of background work: an e-mail or a Messenger message to deliver, an acknowledgement
 * to write at `runAt`. Enqueued in the same transaction as the change that causes it (so a
 * rolled-back change leaves no job), claimed by one worker at a time with `FOR UPDATE SKIP
 * LOCKED`, and kept after it is done (`doneAt`) or given up (`failedAt`) for inspection.
 */
@Entity({ tableName: 'jobs' })
@Index({
  name: 'jobs_due_idx',
  expression: 'create index "jobs_due_idx" on "jobs" ("run_at", "id") where "done_at" is null and "failed_at" is null',
})
@Index({
  name: 'jobs_group_pending_idx',
  expression:
    'create index "jobs_group_pending_idx" on "jobs" ("group_key", "id") where "group_key" is not null and "done_at" is null and "failed_at" is null',
})
export class Job {
  @PrimaryKey({ type: 'bigint', autoincrement: true })
  id!: string;

  /** Which handler runs it, e.g. `mail.send`. */
  @Property({ type: 'text' })
  kind!: string;

  @Property({ type: 'jsonb' })
  payload!: Record<string, unknown>;

  /** Jobs sharing a key run one at a time, oldest first (the messages of one conversation). */
  @Property({ type: 'text', nullable: true })
  groupKey?: string | null;

  /** A second enqueue with the same key is a no-op (Messenger redeliveries, one acknowledgement per ticket). */
  @Property({ type: 'text', nullable: true, unique: 'jobs_dedupe_key_unique' })
  dedupeKey?: string | null;

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  runAt: Date & Opt = new Date();

  /** Runs started, this one included; the handler's `maxAttempts` (or JOBS_MAX_ATTEMPTS) bounds it. */
  @Property({ type: 'integer', default: 0 })
  attempts: number & Opt = 0;

  @Property({ type: 'text', nullable: true })
  lastError?: string | null;

  /** The current claim: a fresh token per claim, so a worker whose lease ran out cannot finish someone else's run. */
  @Property({ type: 'text', nullable: true })
  claimToken?: string | null;

  @Property({ type: 'datetime', nullable: true })
  lockedUntil?: Date | null;

  @Property({ type: 'datetime', nullable: true })
  doneAt?: Date | null;

  /** Set when the job was given up: out of attempts, or a failure that retrying cannot fix. */
  @Property({ type: 'datetime', nullable: true })
  failedAt?: Date | null;

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  createdAt: Date & Opt = new Date();
}
