import DataLoader from 'dataloader';
import type { Orm } from '../../infra/orm';
import { arrayLiteral, selectBound } from '../../infra/sql';
import type { Viewer } from '../../shared/auth/viewer';
import type { Role } from '../../shared/roles';

/** The oldest answer a subscription's event may be delivered on. */
export const VIEWER_RECHECK_TTL_MS = 1000;
/** A session that had an event this recently has its answer renewed before it gets old (per TTL). */
const WARM_TTLS = 10;
/**
 * Answers are renewed once this share of the age limit old, checked every quarter of it: each
 * renewed about every 0.75 s, still back from the database well before it is a second old.
 * Renewing at half the age (every 0.5 s) made these reads nearly one per delivery at 10,000
 * deliveries/s, in one burst per half second.
 */
const RENEW_AT_AGE = 0.7;

interface Check {
  sessionId: string;
  userId: string;
}

interface Answer {
  check: Check;
  /** When the read behind `role` started: the answer is as of then. */
  checkedAt: number;
  role: Promise<Role | null>;
  /** `role`'s value once read: events then take it without waiting a turn of the microtask queue. */
  settled?: { role: Role | null };
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
 *   the background before it gets old (see RENEW_AT_AGE), in one statement for up to 500
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
    private readonly orm: Orm,
    private readonly ttlMs = VIEWER_RECHECK_TTL_MS,
  ) {
    this.loader = new DataLoader<Check, Role | null, string>(
      async (checks) => {
        const roles = await this.readRoles(checks);
        return checks.map((check) => roles.get(keyOf(check)) ?? null);
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

  /**
   * The viewer as of at most a second ago, or null once its token expired, its session ended or
   * its user was deactivated. Not a promise when the answer is at hand (the usual case of a
   * busy subscription): thousands of subscribers re-check on every event.
   */
  recheck(viewer: Viewer): Viewer | null | Promise<Viewer | null> {
    const now = Date.now();
    if (viewer.expiresAt * 1000 <= now) return null;
    const key = keyOf(viewer);
    let answer = this.answers.get(key);
    if (!answer || now - answer.checkedAt >= this.ttlMs) {
      this.counts.waited++;
      const check = { sessionId: viewer.sessionId, userId: viewer.userId };
      answer = this.remember(check, now, this.loader.load(check));
    }
    answer.usedAt = now;
    this.timer ??= setInterval(() => this.renew(), this.ttlMs / 4).unref();
    return answer.settled ? withRole(viewer, answer.settled.role) : answer.role.then((role) => withRole(viewer, role));
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
    role.then(
      (value) => {
        if (answer.role === role) answer.settled = { role: value };
      },
      // A failed read is not remembered: the next event asks again.
      () => this.answers.get(key) === answer && this.answers.delete(key),
    );
    return answer;
  }

  /**
   * Renews, in the background, the answers of sessions with live subscriptions that had an event
   * lately and are RENEW_AT_AGE of their age limit old; events go on using the current answer meanwhile.
   * Forgets the rest once they are too old to use, and stops when nothing is left.
   */
  private renew(): void {
    const now = Date.now();
    const due: [string, Answer][] = [];
    for (const [key, answer] of this.answers) {
      const age = now - answer.checkedAt;
      if (now - answer.usedAt > WARM_TTLS * this.ttlMs || !this.streams.has(key)) {
        if (age >= this.ttlMs) this.answers.delete(key);
      } else if (age >= this.ttlMs * RENEW_AT_AGE && !answer.renewing) {
        answer.renewing = true;
        due.push([key, answer]);
      }
    }
    // Read straight, 500 sessions a statement: through the loader, every renewal was a promise
    // and a callback per session, several times a second for thousands of sessions.
    for (let start = 0; start < due.length; start += 500) void this.renewAll(due.slice(start, start + 500), now);
    if (!this.answers.size) this.close();
  }

  private async renewAll(due: [string, Answer][], checkedAt: number): Promise<void> {
    let roles: Map<string, Role>;
    try {
      roles = await this.readRoles(due.map(([, answer]) => answer.check));
    } catch {
      // Left as they are: once too old, the next event reads again (and waits).
      for (const [, answer] of due) answer.renewing = false;
      return;
    }
    for (const [key, answer] of due) {
      answer.renewing = false;
      this.counts.renewed++;
      if (this.answers.get(key) !== answer) continue;
      const role = roles.get(key) ?? null;
      answer.checkedAt = checkedAt;
      // Kept as they are while nothing changed: new objects for thousands of sessions several
      // times a second would only feed the garbage collector.
      if (answer.settled?.role !== role) {
        answer.role = Promise.resolve(role);
        answer.settled = { role };
      }
    }
  }

  /** The role of each live session's active user, by `keyOf`; sessions ended or users deactivated are missing. */
  private async readRoles(checks: readonly Check[]): Promise<Map<string, Role>> {
    const rows = await selectBound<{ id: string; user_id: string; role: Role }>(
      this.orm.em,
      `select s.id, s.user_id, u.role from sessions s join users u on u.id = s.user_id
        where s.id = any(?::text[]) and s.revoked_at is null and s.expires_at > now() and u.active`,
      [arrayLiteral(checks.map((check) => check.sessionId))],
    );
    return new Map(rows.map((row) => [keyOf({ sessionId: row.id, userId: row.user_id }), row.role]));
  }
}

const keyOf = (check: Check) => `${check.sessionId}:${check.userId}`;

/** The same object while nothing changed, so the viewer's identity says "unchanged" to the caller. */
const withRole = (viewer: Viewer, role: Role | null): Viewer | null => (role ? (role === viewer.role ? viewer : { ...viewer, role }) : null);
