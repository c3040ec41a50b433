import type { EntityManager } from '@mikro-orm/postgresql';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { RequestContext } from '../../server/context';
import { beginLoginAttempt } from '../../server/security';
import { dummyPasswordHash, hashPassword, verifyPassword } from '../../shared/auth/passwords';
import { hashRefreshToken, newRefreshToken } from '../../shared/auth/tokens';
import { conflict, unauthenticated } from '../../shared/errors';
import { Role } from '../../shared/roles';
import { Agent } from '../agents/agent.entity';
import type { AuthPayload } from './account.payloads';
import type { GuestSessionInput, LoginInput, SignUpInput } from './account.inputs';
import { RefreshToken, Session } from './session.entity';
import { User } from './user.entity';

const INVALID_CREDENTIALS = 'Invalid email or password.';

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** Finds an account (not a guest) by e-mail. */
export function findAccountByEmail(em: EntityManager, email: string): Promise<User | null> {
  return em.findOne(User, { email: normalizeEmail(email), isGuest: false });
}

/** Starts a new session (refresh-token family) for `user` and returns the token pair. */
async function startSession(ctx: RequestContext, em: EntityManager, user: User): Promise<AuthPayload> {
  const session = em.create(Session, {
    user,
    expiresAt: new Date(Date.now() + ctx.app.config.refreshTokenTtlDays * 86_400_000),
  });
  const refresh = newRefreshToken();
  em.create(RefreshToken, { tokenHash: refresh.hash, session });
  await em.flush();
  return issuePair(ctx, user, session.id, refresh.token);
}

/** Signs the access token and makes the new identity this request's viewer, so the payload reads as theirs. */
async function issuePair(ctx: RequestContext, user: User, sessionId: string, refreshToken: string): Promise<AuthPayload> {
  const access = await ctx.app.tokens.issue(user.id, user.role, sessionId);
  ctx.viewer = { userId: user.id, role: user.role, sessionId, expiresAt: Math.floor(access.expiresAt.getTime() / 1000) };
  return { token: access.token, expiresAt: access.expiresAt, refreshToken, user };
}

/** A customer account from the sign-up form. An e-mail already in use answers CONFLICT. */
export async function signUp(ctx: RequestContext, input: SignUpInput): Promise<AuthPayload> {
  const email = normalizeEmail(input.email);
  if (await findAccountByEmail(ctx.em, email)) throw conflict('An account with this email already exists.', 'email');
  const passwordHash = await hashPassword(input.password);
  try {
    return await ctx.em.transactional(async (em) => {
      const user = em.create(User, { name: input.name.trim(), email, passwordHash, role: Role.CUSTOMER });
      return startSession(ctx, em, user);
    });
  } catch (error) {
    // Two sign-ups with one address at the same moment: the unique index decides.
    if (error instanceof UniqueConstraintViolationException) throw conflict('An account with this email already exists.', 'email');
    throw error;
  }
}

/**
 * Everyone signs in here. Unknown e-mail, wrong password and deactivated account look alike, and
 * count alike toward the backoff that blocks further guesses at that account from that client.
 */
export async function login(ctx: RequestContext, input: LoginInput): Promise<AuthPayload> {
  const attempt = await beginLoginAttempt(ctx, input.email);
  const user = await ctx.em.findOne(
    User,
    { email: normalizeEmail(input.email), isGuest: false },
    { populate: ['passwordHash'] },
  );
  const ok = await verifyPassword(input.password, user?.passwordHash ?? (await dummyPasswordHash()));
  if (!user || !user.passwordHash || !ok || !user.active) {
    await attempt.failed();
    throw unauthenticated(INVALID_CREDENTIALS);
  }
  await attempt.succeeded();
  return startSession(ctx, ctx.em, user);
}

/** A web-widget visitor becomes a guest customer with a session of their own. */
export async function startGuestSession(ctx: RequestContext, input: GuestSessionInput): Promise<AuthPayload> {
  const user = ctx.em.create(User, {
    name: input.name.trim(),
    email: input.email ? normalizeEmail(input.email) : null,
    isGuest: true,
    role: Role.CUSTOMER,
  });
  return startSession(ctx, ctx.em, user);
}

/**
 * Trades a refresh token for a new pair. Each token works once: presenting a spent one means it
 * was stolen or replayed, so the whole session (every token descended from that login) is revoked.
 */
export async function refreshSession(ctx: RequestContext, refreshToken: string): Promise<AuthPayload> {
  const tokenHash = hashRefreshToken(refreshToken);
  const stored = await ctx.em.findOne(RefreshToken, { tokenHash }, { populate: ['session', 'session.user'] });
  if (!stored) throw unauthenticated('Invalid refresh token.');
  const session = stored.session.getEntity();
  const user = session.user.getEntity();
  if (session.revokedAt || session.expiresAt <= new Date() || !user.active) throw unauthenticated('This session has ended.');

  // Spend the token atomically, so two concurrent refreshes cannot both succeed.
  const spent = await ctx.em
    .createQueryBuilder(RefreshToken)
    .update({ usedAt: new Date() })
    .where({ tokenHash, usedAt: null })
    .execute('run');
  if (!spent.affectedRows) {
    await revokeSession(ctx, session.id, 'refresh token reused');
    throw unauthenticated('This refresh token was already used; the session has been ended.');
  }
  const next = newRefreshToken();
  ctx.em.create(RefreshToken, { tokenHash: next.hash, session });
  await ctx.em.flush();
  return issuePair(ctx, user, session.id, next.token);
}

/** Ends the session the refresh token belongs to. False when there was nothing to end. */
export async function logout(ctx: RequestContext, refreshToken: string): Promise<boolean> {
  const stored = await ctx.em.findOne(RefreshToken, { tokenHash: hashRefreshToken(refreshToken) });
  if (!stored) return false;
  return revokeSession(ctx, stored.session.id, 'logout');
}

async function revokeSession(ctx: RequestContext, sessionId: string, reason: string): Promise<boolean> {
  const result = await ctx.em
    .createQueryBuilder(Session)
    .update({ revokedAt: new Date(), revokedReason: reason })
    .where({ id: sessionId, revokedAt: null })
    .execute('run');
  if (!result.affectedRows) return false;
  // Open websockets of this session close as soon as they hear of it.
  await ctx.app.events.sessionRevoked(sessionId);
  return true;
}

/** Revokes every live session of a user (deactivation). */
export async function revokeAllSessions(ctx: RequestContext, userId: string, reason: string): Promise<void> {
  const sessions = await ctx.em.find(Session, { user: userId, revokedAt: null }, { fields: ['id'] });
  for (const session of sessions) await revokeSession(ctx, session.id, reason);
}

/** Creates the configured admin if no account has that e-mail yet. True when it was created. */
export async function ensureAdmin(em: EntityManager, email: string, password: string): Promise<boolean> {
  if (await findAccountByEmail(em, email)) return false;
  try {
    await em.transactional(async (tx) => {
      const user = tx.create(User, { name: 'Administrator', email: normalizeEmail(email), passwordHash: await hashPassword(password), role: Role.ADMIN });
      tx.create(Agent, { user });
    });
    return true;
  } catch (error) {
    // Another instance created it at the same moment.
    if (error instanceof UniqueConstraintViolationException) return false;
    throw error;
  }
}
