import type { AppServices } from './context';
import { bearerToken } from '../shared/auth/tokens';
import type { Viewer } from '../shared/auth/viewer';
import type { Role } from '../shared/roles';

/**
 * Turns an Authorization value into a viewer: the token must verify, its session must be live and
 * its user active. Role comes from the database, so a demotion takes effect on the next request.
 * Returns null for no token; `'invalid'` for a token that was sent but does not hold. `check` is
 * the session check (websockets batch theirs, see ViewerRechecks.checkNow).
 */
export async function authenticate(
  app: AppServices,
  authorization: unknown,
  check: (claims: Viewer) => Promise<Viewer | null> = (claims) => liveViewer(app, claims),
): Promise<Viewer | null | 'invalid'> {
  const token = bearerToken(authorization);
  if (!token) return null;
  const claims = await app.tokens.verify(token);
  if (!claims) return 'invalid';
  return (await check(claims)) ?? 'invalid';
}

/**
 * The viewer as of now, or null once its token has expired, its session was revoked or its user
 * deactivated. Subscriptions call it again for every event, since a socket outlives all three.
 */
export async function liveViewer(app: AppServices, claims: Viewer): Promise<Viewer | null> {
  if (claims.expiresAt * 1000 <= Date.now()) return null;
  const rows = await app.orm.em.getConnection().execute<{ role: Role }[]>(
    `select u.role from sessions s join users u on u.id = s.user_id
      where s.id = ? and s.user_id = ? and s.revoked_at is null and s.expires_at > now() and u.active`,
    [claims.sessionId, claims.userId],
  );
  if (rows.length === 0) return null;
  return { ...claims, role: rows[0].role };
}
