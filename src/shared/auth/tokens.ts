import { createHash, createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { Role } from '../roles';
import type { Viewer } from './viewer';

const ISSUER = 'parley';
const AUDIENCE = 'parley-api';

interface AccessClaims {
  sub: string;
  sid: string;
  role: Role;
  exp: number;
}

export class AccessTokens {
  /**
   * The secret as a KeyObject, made once: given a string, jsonwebtoken first tries to parse it as
   * a PEM public key on every call and only then treats it as an HMAC secret, which cost about a
   * millisecond of CPU per request (the largest single cost of authenticating).
   */
  private readonly key: KeyObject;

  constructor(
    secret: string,
    private readonly ttlSeconds: number,
  ) {
    this.key = createSecretKey(Buffer.from(secret, 'utf8'));
  }

  async issue(userId: string, role: Role, sessionId: string): Promise<{ token: string; expiresAt: Date }> {
    const exp = Math.floor(Date.now() / 1000) + this.ttlSeconds;
    const token = jwt.sign({ role, sid: sessionId, exp }, this.key, {
      algorithm: 'HS256',
      subject: userId,
      issuer: ISSUER,
      audience: AUDIENCE,
    });
    return { token, expiresAt: new Date(exp * 1000) };
  }

  /** The viewer a token names, or null when it is missing, malformed, forged or expired. */
  async verify(token: string): Promise<Viewer | null> {
    try {
      const claims = jwt.verify(token, this.key, { algorithms: ['HS256'], issuer: ISSUER, audience: AUDIENCE }) as Partial<AccessClaims>;
      if (typeof claims.sub !== 'string' || typeof claims.sid !== 'string' || typeof claims.role !== 'string') return null;
      return { userId: claims.sub, role: claims.role, sessionId: claims.sid, expiresAt: claims.exp ?? 0 };
    } catch (error) {
      if (error instanceof jwt.JsonWebTokenError) return null;
      throw error;
    }
  }
}

/** Refresh tokens are random; only their SHA-256 is stored, so a database leak reveals none. */
export function newRefreshToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: hashRefreshToken(token) };
}

export function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** `Bearer abc` → `abc`; also accepts a bare token (graphql-ws clients often send one). */
export function bearerToken(header: unknown): string | null {
  if (typeof header !== 'string') return null;
  const trimmed = header.trim();
  if (!trimmed) return null;
  const match = /^Bearer\s+(.+)$/i.exec(trimmed);
  return match ? match[1].trim() : trimmed;
}
