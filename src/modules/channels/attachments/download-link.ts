import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Config } from '../../../config';

/**
 * Signed download links: `/attachments/<id>?viewer=<userId>&expires=<unix seconds>&signature=…`.
 * A link is minted only for a viewer who may read the attachment, names that viewer, and lasts
 * `ATTACHMENT_URL_TTL_SECONDS`; the download checks that viewer's access again. So `<img src>` and
 * plain links work without a bearer token, and a leaked link is worthless minutes later.
 */
export const DOWNLOAD_PATH = '/attachments';

export interface DownloadClaim {
  attachmentId: string;
  userId: string;
  /** Seconds since the epoch. */
  expires: number;
}

function signingKey(config: Config): Buffer {
  // Derived, so the links' key differs from the token key while needing no variable of its own.
  return createHmac('sha256', config.jwtSecret).update('parley attachment links v1').digest();
}

function sign(config: Config, claim: DownloadClaim): string {
  return createHmac('sha256', signingKey(config)).update(`${claim.attachmentId}\n${claim.userId}\n${claim.expires}`).digest('base64url');
}

/** The path (or, with PUBLIC_URL, the absolute URL) from which `userId` may download the attachment for a while. */
export function downloadUrl(config: Config, attachmentId: string, userId: string, now = Date.now(), ttlSeconds = config.uploads.urlTtlSeconds): string {
  const expires = Math.floor(now / 1000) + ttlSeconds;
  const claim = { attachmentId, userId, expires };
  const query = new URLSearchParams({ viewer: userId, expires: String(expires), signature: sign(config, claim) });
  return `${config.publicUrl ?? ''}${DOWNLOAD_PATH}/${encodeURIComponent(attachmentId)}?${query}`;
}

/** The claim of a signed link: `'expired'` or `'invalid'` when it does not hold. */
export function verifyDownloadLink(
  config: Config,
  attachmentId: string,
  query: { viewer?: unknown; expires?: unknown; signature?: unknown },
  now = Date.now(),
): DownloadClaim | 'expired' | 'invalid' {
  const { viewer, expires, signature } = query;
  if (typeof viewer !== 'string' || typeof expires !== 'string' || typeof signature !== 'string' || !/^\d{1,12}$/.test(expires)) return 'invalid';
  const claim = { attachmentId, userId: viewer, expires: Number(expires) };
  const expected = Buffer.from(sign(config, claim));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return 'invalid';
  return claim.expires * 1000 < now ? 'expired' : claim;
}
