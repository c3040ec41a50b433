import { Client } from 'pg';
import type { Logger } from 'pino';
import { clock } from './clock';

/** `parl`: the first half of every Parley advisory lock key; the second names the job. */
const LOCK_NAMESPACE = 0x7061726c;

export interface LeaderJobOptions<T> {
  /** For the logs. */
  name: string;
  /** The second half of the advisory lock key: one per job. */
  lockId: number;
  /** The database to hold the lock on (the app's own). */
  databaseUrl: string;
  /** Between the end of one round and the start of the next. */
  intervalMs: number;
  logger: Logger;
  /** The work, run by the leader only. */
  run(now: Date): Promise<T>;
}

/**
 * A periodic job that one instance runs at a time. Each round, an instance makes sure it holds a
 * session-level advisory lock on a connection of its own, and only the holder runs the work.
 * Advisory locks live per database, so every instance on one database competes for the same lock;
 * leadership is kept across rounds (checked before each), and a connection that dies (a crashed or
 * partitioned instance) releases the lock by itself, so another instance takes over within one
 * interval. The work must tolerate a brief overlap during a hand-over (idempotent writes).
 */
export class LeaderJob<T> {
  private client: Client | null = null;
  private leading = false;
  private timer?: NodeJS.Timeout;
  private current?: Promise<unknown>;
  private stopped = false;

  constructor(private readonly options: LeaderJobOptions<T>) {}

  get isLeader(): boolean {
    return this.leading;
  }

  /** Starts the rounds (the first after one interval). */
  start(): void {
    if (this.stopped || this.timer) return;
    this.schedule();
  }

  /** One round: takes or confirms the lock, and runs the work when holding it. Null when another instance leads. */
  async tick(now: Date = clock.now()): Promise<T | null> {
    const round = (async () => ((await this.ensureLeadership()) ? this.options.run(now) : null))();
    this.current = round.catch(() => undefined);
    return round;
  }

  /** Stops the rounds, waits for one in progress, and gives the lock up. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.current;
    await this.release();
  }

  private schedule(): void {
    this.timer = setTimeout(async () => {
      try {
        await this.tick();
      } catch (error) {
        this.options.logger.warn({ err: error, job: this.options.name }, 'background job failed; retrying next round');
      }
      if (!this.stopped) this.schedule();
    }, this.options.intervalMs);
    this.timer.unref();
  }

  private async ensureLeadership(): Promise<boolean> {
    if (this.stopped) return false;
    const key = [LOCK_NAMESPACE, this.options.lockId];
    try {
      const client = await this.connection();
      if (this.leading) {
        // Still ours? Asking on the lock's own connection also proves that connection is alive.
        const { rows } = await client.query<{ held: boolean }>(
          `select exists (select 1 from pg_locks where locktype = 'advisory' and classid = $1::int::oid and objid = $2::int::oid
                          and objsubid = 2 and pid = pg_backend_pid() and granted) as held`,
          key,
        );
        if (rows[0].held) return true;
        this.leading = false;
      }
      const { rows } = await client.query<{ locked: boolean }>('select pg_try_advisory_lock($1::int, $2::int) as locked', key);
      this.leading = rows[0].locked;
      if (this.leading) this.options.logger.info({ job: this.options.name }, 'this instance now leads the job');
      return this.leading;
    } catch (error) {
      this.options.logger.warn({ err: error, job: this.options.name }, 'leader lock unavailable');
      await this.drop();
      return false;
    }
  }

  private async connection(): Promise<Client> {
    if (this.client) return this.client;
    const client = new Client({ connectionString: this.options.databaseUrl, application_name: `parley-leader-${this.options.lockId}` });
    // A lost connection took the lock with it.
    client.on('error', () => void this.drop());
    client.on('end', () => {
      if (this.client === client) {
        this.client = null;
        this.leading = false;
      }
    });
    await client.connect();
    this.client = client;
    return client;
  }

  private async release(): Promise<void> {
    const client = this.client;
    if (client && this.leading) {
      await client.query('select pg_advisory_unlock($1::int, $2::int)', [LOCK_NAMESPACE, this.options.lockId]).catch(() => undefined);
    }
    await this.drop();
  }

  private async drop(): Promise<void> {
    const client = this.client;
    this.client = null;
    this.leading = false;
    await client?.end().catch(() => undefined);
  }
}
