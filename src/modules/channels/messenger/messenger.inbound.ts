import type { EntityManager } from '@mikro-orm/postgresql';
import type { JobHandler, JobSpec } from '../../../infra/outbox/jobs';
import type { AppServices } from '../../../server/context';
import { newId } from '../../../shared/ids';
import { Role } from '../../../shared/roles';
import { User } from '../../accounts/user.entity';
import { sendMessage } from '../../messages/message.service';
import { Ticket } from '../../tickets/ticket.entity';
import { ACTIVE_STATUSES, TicketChannel } from '../../tickets/ticket.enums';
import { createTicket } from '../../tickets/ticket.service';
import { channelContext } from '../channel-context';
import type { GraphApi } from './graph-api';

export const RECEIVE_MESSENGER_MESSAGE = 'messenger.receive';

export interface InboundPayload {
  psid: string;
  mid: string;
  text: string;
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
      const text = (message.text ?? '').trim() || describeAttachments(message.attachments ?? []);
      if (!text) continue;
      jobs.push({
        kind: RECEIVE_MESSENGER_MESSAGE,
        payload: { psid, mid: message.mid, text: text.slice(0, BODY_LENGTH) } satisfies InboundPayload,
        groupKey: `messenger:in:${psid}`,
        dedupeKey: `messenger:mid:${message.mid}`,
      });
    }
  }
  return jobs;
}

/** What an agent reads for a message that carried no text. */
function describeAttachments(attachments: { type?: string; payload?: { url?: string } }[]): string {
  return attachments
    .map((attachment) => `[${attachment.type ?? 'attachment'} sent on Messenger${attachment.payload?.url ? `: ${attachment.payload.url}` : ''}]`)
    .join('\n');
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
export function messengerInboundHandler(app: AppServices, graph: GraphApi): JobHandler<InboundPayload> {
  return {
    kind: RECEIVE_MESSENGER_MESSAGE,
    async run(job) {
      const { psid, mid, text } = job.payload;
      const customer = await messengerCustomer(app, graph, psid);
      if (!customer.active) {
        app.logger.info({ userId: customer.id }, 'ignored a Messenger message from a deactivated customer');
        return;
      }
      const actor = { id: customer.id, role: customer.role };
      const open = await openMessengerTicket(app.orm.em.fork() as EntityManager, customer.id);
      const ticket =
        open ?? (await createTicket(channelContext(app, actor, 'messenger'), { subject: subjectOf(text), description: text, channel: TicketChannel.MESSENGER }));
      await sendMessage(channelContext(app, actor, 'messenger'), { ticketId: ticket.id, body: text, clientMessageId: `messenger:${mid}` });
    },
  };
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
