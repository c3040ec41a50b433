import DataLoader from 'dataloader';
import type { Orm } from '../../infra/orm';
import type { Viewer } from '../../shared/auth/viewer';
import type { Role } from '../../shared/roles';

/** How long a session's re-check answers for every subscriber of that session on this instance. */
export const VIEWER_RECHECK_TTL_MS = 1000;

interface Check {
  sessionId: string;
  userId: string;
}

/**
 * The per-event viewer re-check of subscriptions (liveViewer's rule: session live, user active,
 * role from the database), shared per session on this instance for a second and batched: the
 * sessions due in one turn of the event loop are checked in one statement. A revocation still ends
 * sockets at once through the session channel (see server/ws.ts); what this cache can delay, by at
 * most a second, is noticing a session ended behind that channel's back, or a role change.
 */
export class ViewerRechecks {
  private readonly recent = new Map<string, { at: number; role: Promise<Role | null> }>();
  private readonly loader: DataLoader<Check, Role | null, string>;
  private lastSweep = 0;

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
        cacheKeyFn: (check) => `${check.sessionId}:${check.userId}`,
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
    if (viewer.expiresAt * 1000 <= Date.now()) return null;
    const key = `${viewer.sessionId}:${viewer.userId}`;
    const now = Date.now();
    let entry = this.recent.get(key);
    if (!entry || now - entry.at >= this.ttlMs) {
      entry = { at: now, role: this.loader.load({ sessionId: viewer.sessionId, userId: viewer.userId }) };
      this.recent.set(key, entry);
      // A failed check is not remembered: the next event asks again.
      entry.role.catch(() => this.recent.delete(key));
      this.sweep(now);
    }
    const role = await entry.role;
    // The same object while nothing changed: thousands of subscribers re-check on every event.
    return role ? (role === viewer.role ? viewer : { ...viewer, role }) : null;
  }

  /** Forgets expired answers now and then, so sessions that went away do not pile up. */
  private sweep(now: number): void {
    if (now - this.lastSweep < 10 * this.ttlMs) return;
    this.lastSweep = now;
    for (const [key, entry] of this.recent) if (now - entry.at >= this.ttlMs) this.recent.delete(key);
  }
}
