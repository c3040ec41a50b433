import { PassThrough, type Readable } from 'node:stream';
import busboy from 'busboy';
import type { Request, RequestHandler, Response } from 'express';
import type { ObjectStorage } from '../../../infra/storage/storage';
import { authenticate } from '../../../server/authenticate';
import type { AppServices } from '../../../server/context';
import { canUpload } from '../../../shared/auth/policies';
import type { Viewer } from '../../../shared/auth/viewer';
import { sendError } from '../http';
import { downloadUrl } from './download-link';
import { storeUpload, UploadRejected } from './upload.service';

/** Room for the multipart boundaries and part headers around the file itself. */
const MULTIPART_OVERHEAD = 64 * 1024;

const STATUS: Record<UploadRejected['reason'], { status: number; code: string }> = {
  TOO_LARGE: { status: 413, code: 'PAYLOAD_TOO_LARGE' },
  UNSUPPORTED_TYPE: { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' },
  EMPTY: { status: 400, code: 'BAD_USER_INPUT' },
};

/**
 * `POST /uploads`: multipart/form-data with the file in the field `file`, and the bearer token.
 * Answers 201 `{ id, filename, mimeType, size, url }`; the id goes into `sendMessage(attachmentIds)`.
 * 401 without a valid token, 413 over UPLOAD_MAX_BYTES, 415 for a type outside the allowlist
 * (decided from the content), 400 for anything else malformed.
 */
export function uploadHandler(app: AppServices, storage: ObjectStorage): RequestHandler {
  const maxBytes = app.config.uploads.maxBytes;
  return async (req, res) => {
    const authenticated = await authenticate(app, req.headers.authorization);
    const viewer = authenticated === 'invalid' ? null : authenticated;
    if (!viewer || !canUpload(viewer)) {
      sendError(req, res, 401, 'UNAUTHENTICATED', 'Sign in to upload files.', { 'www-authenticate': 'Bearer' });
      return;
    }
    if (!req.is('multipart/form-data')) {
      sendError(req, res, 400, 'BAD_USER_INPUT', 'Send multipart/form-data with the file in the field "file".');
      return;
    }
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBytes + MULTIPART_OVERHEAD) {
      rejectEarly(req, res, 413, 'PAYLOAD_TOO_LARGE', `The file is larger than ${maxBytes} bytes.`);
      return;
    }

    try {
      const attachment = await receive(app, storage, viewer, req, maxBytes);
      res.status(201).json({
        id: attachment.id,
        filename: attachment.filename,
        mimeType: attachment.mimeType,
        size: attachment.size,
        url: downloadUrl(app.config, attachment.id, viewer.userId),
      });
    } catch (error) {
      if (error instanceof UploadRejected) {
        const { status, code } = STATUS[error.reason];
        sendError(req, res, status, code, error.message);
      } else if (error instanceof MalformedUpload) {
        sendError(req, res, 400, 'BAD_USER_INPUT', error.message);
      } else {
        req.log.error({ err: error }, 'upload failed');
        sendError(req, res, 500, 'INTERNAL_SERVER_ERROR', 'Internal server error.');
      }
    }
  };
}

class MalformedUpload extends Error {}

/** Parses the multipart body and stores its `file` part; other parts are skipped. */
function receive(app: AppServices, storage: ObjectStorage, viewer: Viewer, req: Request, maxBytes: number) {
  return new Promise<Awaited<ReturnType<typeof storeUpload>>>((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: req.headers,
        // Browsers send non-ASCII file names as raw UTF-8.
        defParamCharset: 'utf8',
        // busboy reports the limit once a file reaches it; one byte more lets a file of exactly maxBytes through.
        limits: { files: 1, fileSize: maxBytes + 1, fields: 10, fieldSize: 1024, parts: 20, headerPairs: 20 },
      });
    } catch (error) {
      reject(new MalformedUpload((error as Error).message));
      return;
    }
    let stored: ReturnType<typeof storeUpload> | undefined;
    parser.on('file', (name: string, file: Readable & { truncated?: boolean }, info: busboy.FileInfo) => {
      if (name !== 'file' || stored) {
        file.resume();
        return;
      }
      const body = new PassThrough();
      file.pipe(body);
      file.once('limit', () => body.destroy(new UploadRejected('TOO_LARGE', `The file is larger than ${maxBytes} bytes.`)));
      file.once('error', (error) => body.destroy(error));
      stored = storeUpload(app, storage, viewer, { stream: body, filename: info.filename });
      // Whatever storing did not read is read and dropped, so the parser reaches the end of the request.
      stored.catch(() => undefined).finally(() => {
        file.unpipe(body);
        file.resume();
      });
    });
    parser.once('error', (error: Error) => {
      req.unpipe(parser);
      reject(new MalformedUpload(`Malformed multipart body: ${error.message}`));
    });
    parser.once('close', () => {
      if (stored) stored.then(resolve, reject);
      else reject(new MalformedUpload('No file in the field "file".'));
    });
    req.pipe(parser);
  });
}

/** Refuses before reading the body: the connection closes after the answer, so the client stops sending. */
function rejectEarly(req: Request, res: Response, status: number, code: string, message: string): void {
  sendError(req, res, status, code, message, { connection: 'close' });
  req.resume();
}
