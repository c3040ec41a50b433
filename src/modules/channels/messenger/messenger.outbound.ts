import type { EntityManager } from '@mikro-orm/postgresql';
import { enqueueJob, PermanentJobError, type JobHandler } from '../../../infra/outbox/jobs';
import type { AppServices } from '../../../server/context';
import { transactionWithEvents } from '../../../shared/events/transaction';
import { Attachment } from '../../messages/attachment.entity';
import { Message } from '../../messages/message.entity';
import { TicketChannel } from '../../tickets/ticket.enums';
import type { AfterChangeContext, TicketChanges } from '../../tickets/ticket.lifecycle';
import { channelContext } from '../channel-context';
import { DeliveryState } from '../delivery-state';
import { downloadUrl } from '../attachments/download-link';
import type { GraphApi, OutgoingMessage } from './graph-api';

export const SEND_MESSENGER_MESSAGE = 'messenger.send';

/** The Send API's limit on a text message. */
const TEXT_LIMIT = 2000;
/** Meta fetches an attachment once, when it is sent: a link that lasts this long is plenty. */
const ATTACHMENT_LINK_TTL_SECONDS = 15 * 60;

interface SendPayload {
  messageId: string;
}

/**
 * After-change step: every public message Parley's side writes on a MESSENGER ticket (an agent's
 * reply, an acknowledgement) is queued for the Send API in the same transaction, and marked
 * PENDING. Queued per ticket, so a conversation's messages leave in order.
 */
export async function queueMessengerReplies(changes: TicketChanges, ctx: AfterChangeContext): Promise<void> {
  if (!ctx.app.config.messenger) return;
  for (const change of changes.messages) {
    if (change.internal || change.from === 'CUSTOMER' || change.ticket.channel !== TicketChannel.MESSENGER) continue;
    const message = await ctx.em.findOne(Message, { ticket: change.ticket.id, seq: change.seq });
    if (!message) continue;
    message.deliveryState = DeliveryState.PENDING;
    await enqueueJob(ctx.em, {
      kind: SEND_MESSENGER_MESSAGE,
      payload: { messageId: message.id } satisfies SendPayload,
      groupKey: `messenger:out:${change.ticket.id}`,
      dedupeKey: `messenger:send:${message.id}`,
    });
  }
}

/**
 * Sends a queued reply through the Send API, then records SENT (or, once given up, FAILED) on the
 * message and tells its subscribers. A reply deleted before it left is not sent (CANCELLED).
 * Delivery is at least once: if the process dies between Meta's answer and the commit, the retry
 * sends again (the Send API has no idempotency key).
 */
export function messengerOutboundHandler(app: AppServices, graph: GraphApi): JobHandler<SendPayload> {
  const record = (messageId: string, state: DeliveryState, complete?: (em: EntityManager) => Promise<void>) =>
    transactionWithEvents(channelContext(app, null, 'messenger'), async (em, outbox) => {
      const message = await em.findOne(Message, { id: messageId });
      if (message) {
        message.deliveryState = state;
        outbox.push({ type: 'MESSAGE_CHANGED', ticketId: message.ticket.id, messageId: message.id });
      }
      await complete?.(em);
      await em.flush();
    });

  return {
    kind: SEND_MESSENGER_MESSAGE,
    async run(job) {
      const em = app.orm.em.fork() as EntityManager;
      const message = await em.findOne(Message, { id: job.payload.messageId }, { populate: ['ticket', 'ticket.customer'] });
      if (!message) return;
      if (message.deletedAt) {
        await record(message.id, DeliveryState.CANCELLED, job.complete);
        return;
      }
      const customer = message.ticket.getEntity().customer.getEntity();
      if (!customer.messengerPsid) throw new PermanentJobError(`customer ${customer.id} has no Messenger id`);
      const attachments = await em.find(Attachment, { message: message.id }, { orderBy: { createdAt: 'asc', id: 'asc' } });
      for (const part of outgoingParts(app, message.body, attachments, customer.id)) await graph.send(customer.messengerPsid, part);
      await record(message.id, DeliveryState.SENT, job.complete);
    },
    async onGiveUp(job) {
      await record(job.payload.messageId, DeliveryState.FAILED);
    },
  };
}

/**
 * A Parley message as Send API messages: its text in pieces of at most 2000 characters (cut at a
 * line or word break where possible), then each attachment by a signed link Meta fetches. Without
 * PUBLIC_URL Meta could not reach the files, so they are named in the text instead.
 */
export function outgoingParts(app: AppServices, body: string, attachments: Attachment[], customerId: string): OutgoingMessage[] {
  const publicUrl = app.config.publicUrl;
  const unreachable = publicUrl ? [] : attachments.map((attachment) => `[attachment: ${attachment.filename}]`);
  const text = [body.trim(), ...unreachable].filter(Boolean).join('\n');
  const parts: OutgoingMessage[] = splitText(text, TEXT_LIMIT).map((piece) => ({ text: piece }));
  if (publicUrl) {
    for (const attachment of attachments) {
      const url = downloadUrl(app.config, attachment.id, customerId, Date.now(), ATTACHMENT_LINK_TTL_SECONDS);
      parts.push({ attachment: { type: attachment.mimeType.startsWith('image/') ? 'image' : 'file', payload: { url, is_reusable: false } } });
    }
  }
  return parts;
}

export function splitText(text: string, limit: number): string[] {
  const pieces: string[] = [];
  let rest = text;
  while ([...rest].length > limit) {
    const window = [...rest].slice(0, limit).join('');
    const cut = Math.max(window.lastIndexOf('\n'), window.lastIndexOf(' '));
    const end = cut > limit / 2 ? cut : window.length;
    pieces.push(window.slice(0, end).trimEnd());
    rest = rest.slice(end).trimStart();
  }
  if (rest) pieces.push(rest);
  return pieces;
}
