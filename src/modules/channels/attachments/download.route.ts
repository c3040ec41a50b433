import { pipeline } from 'node:stream/promises';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { RequestHandler } from 'express';
import { ObjectNotFoundError, type ObjectStorage } from '../../../infra/storage/storage';
import { authenticate } from '../../../server/authenticate';
import type { AppServices } from '../../../server/context';
import type { Viewer } from '../../../shared/auth/viewer';
import { User } from '../../accounts/user.entity';
import { sendError } from '../http';
import { verifyDownloadLink } from './download-link';
import { dispositionFor } from './filename';
import { findDownloadable } from './upload.service';

/**
 * `GET /attachments/:id`: the file, for whoever may read its message (`canDownloadAttachment`),
 * proven either by the signed query of `Attachment.url` or by the bearer token. Someone else's
 * attachment answers 404 like a missing one. The bytes are served with the type sniffed at upload,
 * `nosniff`, a sandboxing CSP and `Content-Disposition: attachment` for everything but raster images.
 */
export function downloadHandler(app: AppServices, storage: ObjectStorage): RequestHandler {
  return async (req, res) => {
    const id = String(req.params.id);
    const viewer = await downloadViewer(app, id, req.query, req.headers.authorization);
    if (viewer === 'missing') {
      sendError(req, res, 401, 'UNAUTHENTICATED', 'Use the link from Attachment.url, or send a bearer token.', { 'www-authenticate': 'Bearer' });
      return;
    }
    if (viewer === 'expired' || viewer === 'invalid') {
      sendError(req, res, 403, 'FORBIDDEN', viewer === 'expired' ? 'This link has expired: ask for Attachment.url again.' : 'This link is not valid.');
      return;
    }
    const attachment = await findDownloadable(app.orm.em.fork() as EntityManager, viewer, id);
    if (!attachment) {
      sendError(req, res, 404, 'NOT_FOUND', 'Attachment not found.');
      return;
    }
    let body;
    try {
      body = await storage.get(attachment.storageKey);
    } catch (error) {
      if (!(error instanceof ObjectNotFoundError)) throw error;
      req.log.error({ attachmentId: attachment.id }, 'attachment bytes are missing from storage');
      sendError(req, res, 404, 'NOT_FOUND', 'Attachment not found.');
      return;
    }
    res.status(200);
    res.setHeader('content-type', attachment.mimeType === 'text/plain' ? 'text/plain; charset=utf-8' : attachment.mimeType);
    res.setHeader('content-length', String(attachment.size));
    res.setHeader('content-disposition', dispositionFor(attachment.filename, attachment.mimeType));
    res.setHeader('x-content-type-options', 'nosniff');
    // Even if a browser rendered something here, it could run nothing and reach nothing.
    res.setHeader('content-security-policy', "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox");
    res.setHeader('cache-control', 'private, max-age=300');
    res.setHeader('referrer-policy', 'no-referrer');
    // The link itself is the credential (no cookies), so the web app may embed images from another origin.
    res.setHeader('cross-origin-resource-policy', 'cross-origin');
    try {
      await pipeline(body, res);
    } catch (error) {
      // Most often the client went away mid-download.
      req.log.debug({ err: error }, 'download ended early');
    }
  };
}

/**
 * Who is downloading: from a signed link (its viewer, if still an active user) or from the bearer
 * token. 'missing' when neither was sent.
 */
async function downloadViewer(
  app: AppServices,
  attachmentId: string,
  query: Record<string, unknown>,
  authorization: string | undefined,
): Promise<Viewer | 'missing' | 'expired' | 'invalid'> {
  if (query.signature !== undefined) {
    const claim = verifyDownloadLink(app.config, attachmentId, query);
    if (typeof claim === 'string') return claim;
    const em = app.orm.em.fork() as EntityManager;
    const user = await em.findOne(User, { id: claim.userId, active: true }, { fields: ['id', 'role'] });
    if (!user) return 'invalid';
    return { userId: user.id, role: user.role, sessionId: 'signed-link', expiresAt: claim.expires };
  }
  const viewer = await authenticate(app, authorization);
  if (viewer === null) return 'missing';
  return viewer;
}
