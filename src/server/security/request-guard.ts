import type { RequestContext } from '../context';
import type { LoginAttemptKey, RateLimits } from './rate-limits';

/** What the transport knows about a request's origin, for the limits resolvers apply. */
export interface RequestOrigin {
  limits: RateLimits;
  /** The client's address (X-Forwarded-For only from trusted proxies). */
  ip: string;
}

/**
 * A symbol-keyed property rather than a WeakMap: Apollo hands resolvers and plugins a shallow copy
 * of the context it was given, and a copy keeps own properties, symbols included.
 */
const ORIGIN = Symbol('parley.requestOrigin');
type WithOrigin = RequestContext & { [ORIGIN]?: RequestOrigin };

/** Called by each transport right after it builds a request context. */
export function bindRequestOrigin(ctx: RequestContext, origin: RequestOrigin): void {
  Object.defineProperty(ctx, ORIGIN, { value: origin, enumerable: true });
}

export function requestOrigin(ctx: RequestContext): RequestOrigin | undefined {
  return (ctx as WithOrigin)[ORIGIN];
}

/** The per-action limits resolvers call; each counts per user, or per IP before sign-in. */
export type LimitedAction = 'sendMessage' | 'setTyping' | 'signUp';

/**
 * Spends one of the caller's `action` points, or throws RATE_LIMITED. A context no transport
 * bound (a script, a test calling a service directly) is not limited.
 */
export async function rateLimit(ctx: RequestContext, action: LimitedAction): Promise<void> {
  const origin = requestOrigin(ctx);
  if (!origin) return;
  const { limits, ip } = origin;
  const who = ctx.viewer?.userId ?? `ip:${ip}`;
  switch (action) {
    case 'sendMessage':
      return limits.consume(limits.sendMessagePerUser, who);
    case 'setTyping':
      return limits.consume(limits.setTypingPerUser, who);
    case 'signUp':
      return limits.consume(limits.signUpsPerIp, ip);
  }
}

/** One login attempt's bookkeeping: `failed()` and `succeeded()` feed the backoff. */
export interface LoginAttempt {
  failed(): Promise<void>;
  succeeded(): Promise<void>;
}

const unlimitedAttempt: LoginAttempt = { failed: async () => undefined, succeeded: async () => undefined };

/**
 * Starts a login attempt for `email`: throws RATE_LIMITED while that account is blocked for this
 * client (before any password is checked, so guessing on goes nowhere), else returns the handle
 * that records the outcome.
 */
export async function beginLoginAttempt(ctx: RequestContext, email: string): Promise<LoginAttempt> {
  const origin = requestOrigin(ctx);
  if (!origin) return unlimitedAttempt;
  // Counted as accounts.normalizeEmail stores it, so case and spaces do not make a fresh budget.
  const key: LoginAttemptKey = { email: email.trim().toLowerCase(), ip: origin.ip };
  await origin.limits.assertLoginAllowed(key);
  return {
    failed: () => origin.limits.loginFailed(key),
    succeeded: () => origin.limits.loginSucceeded(key),
  };
}
