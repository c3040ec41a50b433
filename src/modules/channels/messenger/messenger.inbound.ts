import { Readable, Transform } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { JobHandler, JobSpec } from '../../../infra/outbox/jobs';
import type { ObjectStorage } from '../../../infra/storage/storage';
import type { AppServices } from '../../../server/context';
import type { Viewer } from '../../../shared/auth/viewer';
import { newId } from '../../../shared/ids';
import { Role } from '../../../shared/roles';
import { User } from '../../accounts/user.entity';
import { sendMessage } from '../../messages/message.service';
import { Ticket } from '../../tickets/ticket.entity';
import { ACTIVE_STATUSES, TicketChannel } from '../../tickets/ticket.enums';
import { createTicket } from '../../tickets/ticket.service';
import { storeUpload, UploadRejected } from '../attachments/upload.service';
import { channelContext, channelViewer } from '../channel-context';
import type { GraphApi } from './graph-api';

export const RECEIVE_MESSENGER_MESSAGE = 'messenger.receive';

export interface InboundPayload {
  psid: string;
  mid: string;
  text: string;
  /** Files the customer sent (Meta's links to them; they expire, so they are fetched once, here). */
  attachments?: { type: string; url: string }[];
}

/** The webhook's JSON, as far as Parley reads it. */
export interface WebhookPayload {
  object?: string;
  entry?: {
    messaging?: {
      sender?: { id?: string };
      timestamp?: number;
      message?: { mid?: string; text?: string; is_echo?: boolean; attachments?: { type?: string; payload?: { url?: string } }[] };
    }[];
  }[];
}

const SUBJECT_LENGTH = 120;
/** Parley's own limit on a message body (SendMessageInput). */
const BODY_LENGTH = 5000;

/**
 * One job per message the page received. Keyed by the message id, so Meta's redeliveries add
 * nothing; grouped by sender, so one person's messages land in order, one at a time.
 * Echoes (our own sends, mirrored back) and delivery or read receipts are not messages.
 */
export function inboundJobs(payload: WebhookPayload): JobSpec[] {
  const jobs: JobSpec[] = [];
  for (const entry of payload.entry ?? []) {
    for (const event of entry.messaging ?? []) {
      const psid = event.sender?.id;
      const message = event.message;
      if (!psid || !message?.mid || message.is_echo) continue;
      const text = (message.text ?? '').trim();
      const attachments = (message.attachments ?? []).flatMap((attachment) =>
        attachment.payload?.url ? [{ type: attachment.type ?? 'file', url: attachment.payload.url }] : [],
      );
      if (!text && !attachments.length) continue;
      jobs.push({
        kind: RECEIVE_MESSENGER_MESSAGE,
        payload: { psid, mid: message.mid, text: text.slice(0, BODY_LENGTH), attachments } satisfies InboundPayload,
        groupKey: `messenger:in:${psid}`,
        dedupeKey: `messenger:mid:${message.mid}`,
      });
    }
  }
  return jobs;
}


/**
 * Lands an inbound Messenger message in the same queue as web tickets: the sender becomes (or
 * already is) a guest customer known by their page-scoped id; the text joins their open MESSENGER
 * ticket, or opens one. Both go through the ordinary ticket and message services acting as that
 * customer, so routing, notifications, subscriptions and the acknowledgement behave as for the web.
 *
 * Exactly once per message id: the message is sent with `clientMessageId = messenger:<mid>`, which
 * the message service deduplicates, so a retry after a crash at any point adds nothing twice (a
 * ticket opened just before a crash is found open by the retry).
 */
export function messengerInboundHandler(app: AppServices, graph: GraphApi, storage: ObjectStorage): JobHandler<InboundPayload> {
  return {
    kind: RECEIVE_MESSENGER_MESSAGE,
    maxAttempts: INBOUND_ATTEMPTS,
    async run(job) {
      const { psid, mid } = job.payload;
      const customer = await messengerCustomer(app, graph, psid);
      if (!customer.active) {
        app.logger.info({ userId: customer.id }, 'ignored a Messenger message from a deactivated customer');
        return;
      }
      const actor = { id: customer.id, role: customer.role };
      // Files first: a retry after a crash stores them again, and the old copies, never attached, are swept.
      // On the last attempt a file that still cannot be fetched is mentioned instead, so the message itself lands.
      const { attachmentIds, kept, unusable } = await fetchAttachments(app, storage, channelViewer(actor, 'messenger'), job.payload.attachments ?? [], {
        giveUpOnFiles: job.attempt >= INBOUND_ATTEMPTS,
      });
      const text = [job.payload.text, ...unusable].filter(Boolean).join('\n') || describeFiles(kept);
      const open = await openMessengerTicket(app.orm.em.fork() as EntityManager, customer.id);
      const ticket =
        open ?? (await createTicket(channelContext(app, actor, 'messenger'), { subject: subjectOf(text), description: text, channel: TicketChannel.MESSENGER }));
      await sendMessage(channelContext(app, actor, 'messenger'), { ticketId: ticket.id, body: text, clientMessageId: `messenger:${mid}`, attachmentIds });
    },
  };
}

const INBOUND_ATTEMPTS = 8;
const FETCH_TIMEOUT_MS = 15_000;

/** A file that will never be accepted (refused by our checks, or gone at Meta): mentioned, not retried. */
class UnusableFile extends Error {}

const REFUSAL: Record<UploadRejected['reason'], string> = {
  TOO_LARGE: 'it is larger than the upload limit',
  UNSUPPORTED_TYPE: 'Parley does not accept its type',
  EMPTY: 'it is empty',
};

/**
 * Fetches what the customer sent into storage through the same checks as a web upload (type from
 * the bytes, the size limit). What cannot be kept (a video, a file too large, a dead link) becomes
 * a line of text for the agent instead, so nothing the customer sent goes unmentioned.
 */
async function fetchAttachments(
  app: AppServices,
  storage: ObjectStorage,
  viewer: Viewer,
  attachments: { type: string; url: string }[],
  options: { giveUpOnFiles: boolean },
): Promise<{ attachmentIds: string[]; kept: string[]; unusable: string[] }> {
  const attachmentIds: string[] = [];
  const kept: string[] = [];
  const unusable: string[] = [];
  const maxBytes = app.config.uploads.maxBytes;
  for (const attachment of attachments) {
    let source: Readable | undefined;
    try {
      const response = await fetch(attachment.url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
      if (response.status >= 400 && response.status < 500) throw new UnusableFile(`Meta no longer serves it (${response.status})`);
      if (!response.ok || !response.body) throw new Error(`Meta's file link answered ${response.status}`);
      if (Number(response.headers.get('content-length')) > maxBytes) throw new UploadRejected('TOO_LARGE', 'too large');
      let seen = 0;
      const limit = new Transform({
        transform(chunk: Buffer, _encoding, done) {
          seen += chunk.length;
          done(seen > maxBytes ? new UploadRejected('TOO_LARGE', 'too large') : null, chunk);
        },
      });
      source = Readable.fromWeb(response.body as WebReadableStream<Uint8Array>);
      const stored = await storeUpload(app, storage, viewer, { stream: source.pipe(limit), filename: filenameOf(attachment.url) });
      attachmentIds.push(stored.id);
      kept.push(stored.mimeType);
    } catch (error) {
      // Whatever was not read (a refused type is decided from the first bytes) is not downloaded.
      source?.destroy();
      // A network failure is worth retrying the whole message; a file we will never accept is not.
      const reason = error instanceof UploadRejected ? REFUSAL[error.reason] : error instanceof UnusableFile ? error.message : options.giveUpOnFiles ? 'it could not be fetched' : null;
      if (!reason) throw error;
      const kind = attachment.type;
      unusable.push(`[${/^[aeiou]/i.test(kind) ? 'An' : 'A'} ${kind} sent on Messenger was not kept: ${reason}.]`);
    }
  }
  return { attachmentIds, kept, unusable };
}

/** Meta's links end with the file's name (before the query string). */
function filenameOf(url: string): string {
  try {
    return decodeURIComponent(new URL(url).pathname.split('/').pop() ?? '') || 'attachment';
  } catch {
    return 'attachment';
  }
}

/** The body of a message that was only files, by their (sniffed) types. */
function describeFiles(mimeTypes: string[]): string {
  const images = mimeTypes.every((type) => type.startsWith('image/'));
  if (mimeTypes.length === 1) return images ? '(sent an image on Messenger)' : '(sent a file on Messenger)';
  return `(sent ${mimeTypes.length} ${images ? 'images' : 'files'} on Messenger)`;
}

/** The customer behind a page-scoped id, created on their first message (named from their profile when Meta tells). */
async function messengerCustomer(app: AppServices, graph: GraphApi, psid: string): Promise<User> {
  const em = app.orm.em.fork() as EntityManager;
  const existing = await em.findOne(User, { messengerPsid: psid });
  if (existing) return existing;
  const name = (await graph.senderName(psid)) ?? `Messenger user ${psid.slice(-4)}`;
  // A concurrent first message from the same person cannot create a second customer.
  await em.getConnection().execute(
    `insert into users (id, name, role, is_guest, messenger_psid) values (?, ?, ?, true, ?) on conflict (messenger_psid) do nothing`,
    [newId('User'), name, Role.CUSTOMER, psid],
  );
  return em.findOneOrFail(User, { messengerPsid: psid });
}

function openMessengerTicket(em: EntityManager, customerId: string): Promise<Ticket | null> {
  return em.findOne(
    Ticket,
    { customer: customerId, channel: TicketChannel.MESSENGER, status: { $in: [...ACTIVE_STATUSES] } },
    { orderBy: { createdAt: 'desc', id: 'desc' } },
  );
}

/** The first line of the first message, shortened: what an agent scans in the queue. */
function subjectOf(text: string): string {
  const line = text.split('\n').map((part) => part.trim()).find(Boolean) ?? '';
  if (!line) return 'Messenger conversation';
  return line.length > SUBJECT_LENGTH ? `${line.slice(0, SUBJECT_LENGTH - 1)}…` : line;
}
