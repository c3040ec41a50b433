import DataLoader from 'dataloader';
import type { Orm } from '../../infra/orm';
import type { Viewer } from '../../shared/auth/viewer';
import type { Role } from '../../shared/roles';

/** The oldest answer a subscription's event may be delivered on. */
export const VIEWER_RECHECK_TTL_MS = 1000;
/** A session that had an event this recently has its answer renewed before it gets old (per TTL). */
const WARM_TTLS = 10;

interface Check {
  sessionId: string;
  userId: string;
}

interface Answer {
  check: Check;
  /** When the read behind `role` started: the answer is as of then. */
  checkedAt: number;
  role: Promise<Role | null>;
  /** When an event last used it. */
  usedAt: number;
  renewing: boolean;
}

/**
 * The per-event viewer re-check of subscriptions (liveViewer's rule: session live, user active,
 * role from the database). Every event is delivered on an answer at most a second old, shared by
 * all of a session's subscribers on this instance:
 *
 * - while a session has live subscriptions here and keeps having events, its answer is renewed in
 *   the background before it gets old, every half second, in one statement for up to 500
 *   sessions, so its events do not wait for the database (a read per turn of the event loop made
 *   these checks two thirds of the fan-out's statements: 0.21 per delivery);
 * - otherwise (a session's first event, or its first after a quiet spell) an event waits for a
 *   read, batched with the others of its turn of the event loop.
 *
 * A revocation also ends sockets at once through the session channel (see server/ws.ts); what the
 * second can delay is noticing a session ended behind that channel's back, or a role change.
 */
export class ViewerRechecks {
  private readonly answers = new Map<string, Answer>();
  /** Live subscriptions per session: only a session that still has some is renewed. */
  private readonly streams = new Map<string, number>();
  private readonly loader: DataLoader<Check, Role | null, string>;
  private timer?: NodeJS.Timeout;
  /** Answers read for a waiting event, and renewed ahead (tests and metrics). */
  readonly counts = { waited: 0, renewed: 0 };

  constructor(
    orm: Orm,
    private readonly ttlMs = VIEWER_RECHECK_TTL_MS,
  ) {
    this.loader = new DataLoader<Check, Role | null, string>(
      async (checks) => {
        const rows = await orm.em.getConnection().execute<{ id: string; user_id: string; role: Role }[]>(
          `select s.id, s.user_id, u.role from sessions s join users u on u.id = s.user_id
            where s.id in (${checks.map(() => '?').join(', ')}) and s.revoked_at is null and s.expires_at > now() and u.active`,
          checks.map((check) => check.sessionId),
        );
        const roles = new Map(rows.map((row) => [`${row.id}:${row.user_id}`, row.role]));
        return checks.map((check) => roles.get(`${check.sessionId}:${check.userId}`) ?? null);
      },
      {
        cache: false,
        cacheKeyFn: keyOf,
        maxBatchSize: 500,
        // Each socket's connection_init arrives in its own I/O callback, and DataLoader's default
        // batch ends after that callback's microtasks: a batch of one per socket in a reconnect
        // storm. The next turn of the loop takes every socket read in this one.
        batchScheduleFn: (callback) => setImmediate(callback),
      },
    );
  }

  /**
   * The viewer as of now (no shared answer), or null: for a socket's connection, where a
   * reconnect storm brings thousands at once and each turn of the event loop's share is checked
   * in one statement.
   */
  async checkNow(viewer: Viewer): Promise<Viewer | null> {
    if (viewer.expiresAt * 1000 <= Date.now()) return null;
    const role = await this.loader.load({ sessionId: viewer.sessionId, userId: viewer.userId });
    return role ? { ...viewer, role } : null;
  }

  /** The viewer as of at most a second ago, or null once its token expired, its session ended or its user was deactivated. */
  async recheck(viewer: Viewer): Promise<Viewer | null> {
    const now = Date.now();
    if (viewer.expiresAt * 1000 <= now) return null;
    const check = { sessionId: viewer.sessionId, userId: viewer.userId };
    let answer = this.answers.get(keyOf(check));
    if (!answer || now - answer.checkedAt >= this.ttlMs) {
      this.counts.waited++;
      answer = this.remember(check, now, this.loader.load(check));
    }
    answer.usedAt = now;
    this.timer ??= setInterval(() => this.renew(), this.ttlMs / 2).unref();
    const role = await answer.role;
    // The same object while nothing changed: thousands of subscribers re-check on every event.
    return role ? (role === viewer.role ? viewer : { ...viewer, role }) : null;
  }

  /** A subscription of `viewer`'s session went live; the returned undo is for its end. */
  follow(viewer: Viewer): () => void {
    const key = keyOf({ sessionId: viewer.sessionId, userId: viewer.userId });
    this.streams.set(key, (this.streams.get(key) ?? 0) + 1);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const left = this.streams.get(key)! - 1;
      if (left) this.streams.set(key, left);
      else this.streams.delete(key);
    };
  }

  /** Stops renewing (the instance is closing). */
  close(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private remember(check: Check, checkedAt: number, role: Promise<Role | null>): Answer {
    const key = keyOf(check);
    const answer: Answer = { check, checkedAt, role, usedAt: checkedAt, renewing: false };
    this.answers.set(key, answer);
    // A failed read is not remembered: the next event asks again.
    role.catch(() => this.answers.get(key) === answer && this.answers.delete(key));
    return answer;
  }

  /**
   * Renews, in the background, the answers of sessions with live subscriptions that had an event
   * lately and are half their age limit old; events go on using the current answer meanwhile.
   * Forgets the rest once they are too old to use, and stops when nothing is left.
   */
  private renew(): void {
    const now = Date.now();
    for (const [key, answer] of this.answers) {
      const age = now - answer.checkedAt;
      if (now - answer.usedAt > WARM_TTLS * this.ttlMs || !this.streams.has(key)) {
        if (age >= this.ttlMs) this.answers.delete(key);
      } else if (age >= this.ttlMs / 2 && !answer.renewing) {
        answer.renewing = true;
        this.loader.load(answer.check).then(
          (role) => {
            this.counts.renewed++;
            if (this.answers.get(key) !== answer) return;
            answer.checkedAt = now;
            answer.role = Promise.resolve(role);
            answer.renewing = false;
          },
          // Left as it is: once too old, the next event reads it again (and waits).
          () => (answer.renewing = false),
        );
      }
    }
    if (!this.answers.size) this.close();
  }
}

const keyOf = (check: Check) => `${check.sessionId}:${check.userId}`;
