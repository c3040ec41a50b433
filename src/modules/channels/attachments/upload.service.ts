import { Readable } from 'node:stream';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { ObjectStorage } from '../../../infra/storage/storage';
import type { AppServices, RequestContext } from '../../../server/context';
import { canDownloadAttachment } from '../../../shared/auth/policies';
import type { Viewer } from '../../../shared/auth/viewer';
import { isIdOf, newId } from '../../../shared/ids';
import { User } from '../../accounts/user.entity';
import { Attachment } from '../../messages/attachment.entity';
import { SNIFF_BYTES, sniffContentType } from './content-type';
import { cleanFilename } from './filename';

/** Why an upload was refused; the route turns each into its HTTP status. */
export class UploadRejected extends Error {
  constructor(
    readonly reason: 'TOO_LARGE' | 'UNSUPPORTED_TYPE' | 'EMPTY',
    message: string,
  ) {
    super(message);
    this.name = 'UploadRejected';
  }
}

/**
 * Stores one uploaded file for `viewer`: its type is decided from its first bytes against the
 * allowlist before anything is written, and its bytes stream to storage (never whole in memory).
 * The caller destroys `stream` with `UploadRejected('TOO_LARGE')` once the size limit is crossed,
 * which stops the write and removes what was written. The row comes last, so a failed upload
 * leaves neither a row nor bytes behind.
 */
export async function storeUpload(
  app: AppServices,
  storage: ObjectStorage,
  viewer: Viewer,
  upload: { stream: Readable; filename: string | undefined },
): Promise<Attachment> {
  const { head, complete, body } = await peek(upload.stream, SNIFF_BYTES);
  if (head.length === 0) throw new UploadRejected('EMPTY', 'The file is empty.');
  const mimeType = await sniffContentType(head, complete);
  if (!mimeType) throw new UploadRejected('UNSUPPORTED_TYPE', 'This type of file is not accepted: send an image (PNG, JPEG, GIF, WebP), a PDF, a text file, a ZIP archive or an Office document.');

  const id = newId('Attachment');
  const now = new Date();
  const storageKey = `attachments/${now.getUTCFullYear()}/${String(now.getUTCMonth() + 1).padStart(2, '0')}/${id}`;
  const { size } = await storage.put(storageKey, body, { contentType: mimeType });

  try {
    const em = app.orm.em.fork() as EntityManager;
    const attachment = em.create(Attachment, {
      id,
      uploader: em.getReference(User, viewer.userId),
      filename: cleanFilename(upload.filename),
      mimeType,
      size,
      storageKey,
      message: null,
      createdAt: now,
    });
    await em.flush();
    return attachment;
  } catch (error) {
    await storage.delete(storageKey).catch(() => undefined);
    throw error;
  }
}

/** The attachment, when `viewer` may download it (see `canDownloadAttachment`); null otherwise, existing or not. */
export async function findDownloadable(em: EntityManager, viewer: Viewer, id: string): Promise<Attachment | null> {
  if (!isIdOf(id, 'Attachment')) return null;
  const attachment = await em.findOne(Attachment, { id }, { populate: ['message', 'message.ticket'] });
  if (!attachment) return null;
  const message = attachment.message?.getEntity() ?? null;
  const allowed = canDownloadAttachment(viewer, {
    uploader: attachment.uploader,
    message: message && { internal: message.internal, deletedAt: message.deletedAt, author: message.author ?? null, ticket: message.ticket.getEntity() },
  });
  return allowed ? attachment : null;
}

/** For `node(id)`: the attachment if the viewer may download it, else null. */
export async function findAttachmentForNode(ctx: RequestContext, id: string): Promise<Attachment | null> {
  return ctx.viewer ? findDownloadable(ctx.em, ctx.viewer, id) : null;
}

/**
 * Reads the first `bytes` of a stream and hands back a stream that replays them followed by the
 * rest, so the type can be decided before the upload is written anywhere.
 */
async function peek(source: Readable, bytes: number): Promise<{ head: Buffer; complete: boolean; body: Readable }> {
  const iterator = source[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const chunks: Buffer[] = [];
  let length = 0;
  let complete = false;
  while (length < bytes) {
    const next = await iterator.next();
    if (next.done) {
      complete = true;
      break;
    }
    chunks.push(next.value);
    length += next.value.length;
  }
  const head = Buffer.concat(chunks);
  async function* replay(): AsyncGenerator<Buffer> {
    yield head;
    if (complete) return;
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
  }
  return { head, complete, body: Readable.from(replay(), { objectMode: false }) };
}
