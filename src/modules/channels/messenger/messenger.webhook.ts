import type { EntityManager } from '@mikro-orm/postgresql';
import type { RequestHandler } from 'express';
import { enqueueJob } from '../../../infra/outbox/jobs';
import type { AppServices } from '../../../server/context';
import { sendError } from '../http';
import { inboundJobs, type WebhookPayload } from './messenger.inbound';
import { checkSignature, sameSecret } from './messenger.signature';

export const MESSENGER_WEBHOOK_PATH = '/webhooks/messenger';

/**
 * `GET /webhooks/messenger`: Meta's subscription handshake. With `hub.mode=subscribe` and our
 * MESSENGER_VERIFY_TOKEN, the answer is `hub.challenge`; anything else is 403.
 */
export function verifyHandler(app: AppServices): RequestHandler {
  return (req, res) => {
    const messenger = app.config.messenger;
    if (!messenger) {
      sendError(req, res, 404, 'NOT_FOUND', 'Messenger is not configured.');
      return;
    }
    const challenge = req.query['hub.challenge'];
    if (req.query['hub.mode'] === 'subscribe' && sameSecret(req.query['hub.verify_token'], messenger.verifyToken) && typeof challenge === 'string') {
      res.status(200).type('text/plain').setHeader('x-content-type-options', 'nosniff').send(challenge);
      return;
    }
    sendError(req, res, 403, 'FORBIDDEN', 'Verification failed.');
  };
}

/**
 * `POST /webhooks/messenger` (mounted behind a raw body parser): checks X-Hub-Signature-256 on
 * the exact bytes (401 without it, 403 when it does not match), then queues one job per message
 * in one transaction and answers 200 at once, as Meta asks. The messages land in tickets from the
 * job worker; a redelivery of a message id already queued adds nothing.
 */
export function receiveHandler(app: AppServices, queued: () => void): RequestHandler {
  return async (req, res) => {
    const messenger = app.config.messenger;
    if (!messenger) {
      sendError(req, res, 404, 'NOT_FOUND', 'Messenger is not configured.');
      return;
    }
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const signature = checkSignature(messenger.appSecret, raw, req.get('x-hub-signature-256'));
    if (signature !== 'valid') {
      sendError(req, res, signature === 'missing' ? 401 : 403, signature === 'missing' ? 'UNAUTHENTICATED' : 'FORBIDDEN', 'The signature does not match.');
      return;
    }
    let payload: WebhookPayload;
    try {
      payload = JSON.parse(raw.toString('utf8')) as WebhookPayload;
    } catch {
      sendError(req, res, 400, 'BAD_USER_INPUT', 'The body is not JSON.');
      return;
    }
    if (payload?.object !== 'page') {
      sendError(req, res, 404, 'NOT_FOUND', 'Only page events are handled here.');
      return;
    }
    const jobs = inboundJobs(payload);
    if (jobs.length) {
      const em = app.orm.em.fork() as EntityManager;
      await em.transactional(async (tx) => {
        for (const job of jobs) await enqueueJob(tx as EntityManager, job);
      });
      queued();
    }
    res.status(200).type('text/plain').send('EVENT_RECEIVED');
  };
}
