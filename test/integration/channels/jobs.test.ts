import { MikroORM, type EntityManager } from '@mikro-orm/postgresql';
import pino from 'pino';
import { JobRunner, type JobRunnerOptions } from '../../../src/infra/outbox/job-runner';
import { enqueueJob, PermanentJobError, type JobHandler, type JobSpec, type RunningJob } from '../../../src/infra/outbox/jobs';
import { ormOptions } from '../../../src/infra/orm-options';
import { createTestDatabase } from '../../support/database';
import { waitFor } from '../../support/ws-client';

const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
const FAST: JobRunnerOptions = { pollIntervalMs: 10, concurrency: 4, maxAttempts: 3, retryBaseMs: 20, retryMaxMs: 100, leaseMs: 5_000 };

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let orm: MikroORM;
const runners: JobRunner[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  orm = await MikroORM.init(ormOptions(database.url, { poolMax: 4 }));
  await orm.em.getConnection().execute('create table job_effects (job_id bigint not null, runner text not null)');
});
afterEach(async () => {
  await Promise.all(runners.splice(0).map((runner) => runner.stop()));
  await orm.em.getConnection().execute('truncate jobs, job_effects');
});
afterAll(async () => {
  await orm.close(true);
  await database.drop();
});

function runner(handlers: JobHandler<never>[], options: Partial<JobRunnerOptions> = {}): JobRunner {
  const created = new JobRunner(database.url, handlers, { ...FAST, ...options }, logger);
  runners.push(created);
  created.start();
  return created;
}

function handler(kind: string, run: (job: RunningJob) => Promise<void>, extra: Partial<JobHandler> = {}): JobHandler<never> {
  return { kind, run, ...extra } as JobHandler<never>;
}

async function enqueue(...specs: JobSpec[]): Promise<boolean[]> {
  return orm.em.fork().transactional(async (em) => {
    const results: boolean[] = [];
    for (const spec of specs) results.push(await enqueueJob(em as EntityManager, spec));
    return results;
  });
}

async function jobs() {
  return orm.em
    .getConnection()
    .execute<{ id: string; attempts: number; done_at: Date | null; failed_at: Date | null; last_error: string | null }[]>(
      'select id::text as id, attempts, done_at, failed_at, last_error from jobs order by jobs.id',
    );
}

/** A handler whose effect is a database write, committed with the job's completion. */
function writing(kind: string, name: string, before: (job: RunningJob) => Promise<void> = async () => undefined): JobHandler<never> {
  return handler(kind, async (job) => {
    await before(job);
    await orm.em.fork().transactional(async (em) => {
      await em.getConnection().execute('insert into job_effects (job_id, runner) values (?, ?)', [job.id, name], 'run', em.getTransactionContext());
      await job.complete(em as EntityManager);
    });
  });
}

async function effects(): Promise<{ job_id: string; runner: string }[]> {
  return orm.em.getConnection().execute('select job_id::text as job_id, runner from job_effects order by job_effects.job_id');
}

describe('the job runner', () => {
  it('runs a job once the transaction that queued it commits', async () => {
    const seen: unknown[] = [];
    runner([handler('test.echo', async (job) => void seen.push(job.payload))]);
    await enqueue({ kind: 'test.echo', payload: { hello: 'world' } });
    await waitFor(() => seen.length === 1);
    expect(seen).toEqual([{ hello: 'world' }]);
    await waitFor(async () => (await jobs())[0].done_at);
  });

  it('queues nothing when the transaction rolls back', async () => {
    await expect(
      orm.em.fork().transactional(async (em) => {
        await enqueueJob(em as EntityManager, { kind: 'test.echo', payload: {} });
        throw new Error('change rejected');
      }),
    ).rejects.toThrow('change rejected');
    expect(await jobs()).toEqual([]);
  });

  it('ignores a second job with the same dedupe key', async () => {
    expect(await enqueue({ kind: 'test.echo', payload: { n: 1 }, dedupeKey: 'once' }, { kind: 'test.echo', payload: { n: 2 }, dedupeKey: 'once' })).toEqual([true, false]);
    expect(await enqueue({ kind: 'test.echo', payload: { n: 3 }, dedupeKey: 'once' })).toEqual([false]);
    expect(await jobs()).toHaveLength(1);
  });

  it('retries a failing job with backoff, recording attempts and the last error, until it succeeds', async () => {
    const runs: number[] = [];
    runner([
      handler('test.flaky', async (job) => {
        runs.push(Date.now());
        if (job.attempt < 3) throw new Error(`boom ${job.attempt}`);
      }),
    ]);
    await enqueue({ kind: 'test.flaky', payload: {} });
    await waitFor(async () => (await jobs())[0].done_at);
    const [job] = await jobs();
    expect(job.attempts).toBe(3);
    expect(job.last_error).toBeNull();
    // 20 ms, then 40 ms (±20 %) between attempts.
    expect(runs[1] - runs[0]).toBeGreaterThanOrEqual(15);
    expect(runs[2] - runs[1]).toBeGreaterThanOrEqual(30);
  });

  it('gives a job up after its last attempt, tells its handler once, and keeps it as failed', async () => {
    const givenUp: string[] = [];
    runner([handler('test.broken', async () => Promise.reject(new Error('always')), { maxAttempts: 2, onGiveUp: async (job) => void givenUp.push(job.id) })]);
    await enqueue({ kind: 'test.broken', payload: {} });
    await waitFor(async () => (await jobs())[0].failed_at);
    const [job] = await jobs();
    expect(job).toMatchObject({ attempts: 2, done_at: null, last_error: 'Error: always' });
    expect(givenUp).toEqual([job.id]);
  });

  it('gives up at once on a permanent failure', async () => {
    runner([handler('test.refused', async () => Promise.reject(new PermanentJobError('no such recipient')))]);
    await enqueue({ kind: 'test.refused', payload: {} });
    await waitFor(async () => (await jobs())[0].failed_at);
    expect((await jobs())[0]).toMatchObject({ attempts: 1, last_error: 'PermanentJobError: no such recipient' });
  });

  it('runs a delayed job no earlier than its delay', async () => {
    const ranAt: number[] = [];
    runner([handler('test.later', async () => void ranAt.push(Date.now()))]);
    const queuedAt = Date.now();
    await enqueue({ kind: 'test.later', payload: {}, delayMs: 300 });
    await waitFor(() => ranAt.length === 1);
    expect(ranAt[0] - queuedAt).toBeGreaterThanOrEqual(280);
  });

  it('runs each job exactly once with two runners on one database', async () => {
    runner([writing('test.write', 'one')]);
    runner([writing('test.write', 'two')]);
    await enqueue(...Array.from({ length: 40 }, (_, n) => ({ kind: 'test.write', payload: { n } })));
    await waitFor(async () => (await effects()).length === 40);
    const rows = await effects();
    expect(new Set(rows.map((row) => row.job_id)).size).toBe(40);
    expect((await jobs()).every((job) => job.done_at && job.attempts === 1)).toBe(true);
  });

  it('runs a group’s jobs one at a time and in order, even while an earlier one is retried', async () => {
    const order: number[] = [];
    let running = 0;
    let overlapped = false;
    const run = async (job: RunningJob) => {
      running++;
      overlapped ||= running > 1;
      await new Promise((resolve) => setTimeout(resolve, 5));
      running--;
      const n = job.payload.n as number;
      if (n === 0 && job.attempt < 3) throw new Error('first one fails twice');
      order.push(n);
    };
    runner([handler('test.ordered', run)]);
    runner([handler('test.ordered', run)]);
    await enqueue(...Array.from({ length: 6 }, (_, n) => ({ kind: 'test.ordered', payload: { n }, groupKey: 'conversation-1' })));
    await waitFor(() => order.length === 6);
    expect(order).toEqual([0, 1, 2, 3, 4, 5]);
    expect(overlapped).toBe(false);
  });

  it('takes over a job whose worker died once its lease has run out', async () => {
    await enqueue({ kind: 'test.write', payload: {} });
    // As a crashed worker leaves it: claimed, attempt counted, lease already over.
    await orm.em.getConnection().execute(`update jobs set attempts = 1, claim_token = 'dead:1', locked_until = now() - interval '1 second'`);
    runner([writing('test.write', 'survivor')]);
    await waitFor(async () => (await jobs())[0].done_at);
    expect(await effects()).toEqual([expect.objectContaining({ runner: 'survivor' })]);
    expect((await jobs())[0].attempts).toBe(2);
  });

  it('does not take over a job whose lease is still running', async () => {
    await enqueue({ kind: 'test.write', payload: {} });
    await orm.em.getConnection().execute(`update jobs set attempts = 1, claim_token = 'busy:1', locked_until = now() + interval '1 hour'`);
    const seen: string[] = [];
    runner([handler('test.write', async (job) => void seen.push(job.id))]);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(seen).toEqual([]);
  });

  it('rolls back the work of a run that lost its claim, so the effect happens once', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    // The slow run outlives its 150 ms lease; the other runner takes the job over and finishes it.
    runner([writing('test.write', 'slow', () => held)], { leaseMs: 150 });
    await enqueue({ kind: 'test.write', payload: {} });
    await waitFor(async () => (await jobs())[0].attempts === 1);
    runner([writing('test.write', 'fast')]);
    await waitFor(async () => (await jobs())[0].done_at);
    release();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await effects()).toEqual([expect.objectContaining({ runner: 'fast' })]);
  });

  it('finishes the running job before stop() resolves', async () => {
    let finished = false;
    const slow = runner([
      handler('test.slow', async () => {
        await new Promise((resolve) => setTimeout(resolve, 150));
        finished = true;
      }),
    ]);
    await enqueue({ kind: 'test.slow', payload: {} });
    await waitFor(async () => (await jobs())[0].attempts === 1);
    await slow.stop();
    runners.splice(runners.indexOf(slow), 1);
    expect(finished).toBe(true);
    expect((await jobs())[0].done_at).not.toBeNull();
  });

  it('queues housekeeping of its own, outside any transaction, deduplicated by key', async () => {
    const seen: unknown[] = [];
    const own = runner([handler('test.sweep', async (job) => void seen.push(job.payload))]);
    expect(await own.enqueue({ kind: 'test.sweep', payload: { hour: 13 }, dedupeKey: 'sweep:13' })).toBe(true);
    expect(await own.enqueue({ kind: 'test.sweep', payload: { hour: 13 }, dedupeKey: 'sweep:13' })).toBe(false);
    await waitFor(() => seen.length === 1);
  });

  it('leaves kinds it has no handler for to other workers', async () => {
    runner([handler('test.echo', async () => undefined)]);
    await enqueue({ kind: 'test.unknown', payload: {} });
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect((await jobs())[0]).toMatchObject({ attempts: 0, done_at: null });
  });
});
