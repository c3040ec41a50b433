import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { enqueueJob, type JobHandler } from '../../../infra/outbox/jobs';
import type { AppServices } from '../../../server/context';
import { suggestArticlesForTicket } from '../../articles/article.service';
import { appendSystemMessage } from '../../messages/message.service';
import { Ticket } from '../../tickets/ticket.entity';
import { ACTIVE_STATUSES } from '../../tickets/ticket.enums';
import type { AfterChangeContext, TicketChanges } from '../../tickets/ticket.lifecycle';
import { ticketTransaction } from '../../tickets/ticket.service';
import { channelContext } from '../channel-context';
import { acknowledgementText } from './acknowledgement.text';

export const ACKNOWLEDGE_TICKET = 'ticket.acknowledge';
const SUGGESTIONS = 3;

interface AcknowledgePayload {
  ticketId: string;
}

/**
 * After-change step: a ticket its own customer just opened gets its acknowledgement scheduled
 * AUTO_ACK_DELAY_MS later, as a job in the same transaction (durable across restarts; none if the
 * ticket rolls back; one per ticket, whatever retries the request makes).
 */
export async function scheduleAcknowledgements(changes: TicketChanges, ctx: AfterChangeContext): Promise<void> {
  const delayMs = ctx.app.config.autoAckDelayMs;
  if (!delayMs || !ctx.actorId) return;
  for (const ticket of changes.created) {
    if (ticket.customer.id !== ctx.actorId) continue;
    await enqueueJob(ctx.em, { kind: ACKNOWLEDGE_TICKET, payload: { ticketId: ticket.id } satisfies AcknowledgePayload, delayMs, dedupeKey: `ack:${ticket.id}` });
  }
}

/**
 * Writes the acknowledgement: a SYSTEM message naming the ticket and up to three suggested
 * articles (the same suggestions `suggestedArticles` gives the customer). The message and the
 * job's completion commit together, so it is written exactly once. A ticket that an agent has
 * already answered, or that is resolved or closed by then, needs none.
 */
export function acknowledgementHandler(app: AppServices): JobHandler<AcknowledgePayload> {
  return {
    kind: ACKNOWLEDGE_TICKET,
    async run(job) {
      const em = app.orm.em.fork() as EntityManager;
      const ticket = await em.findOne(Ticket, { id: job.payload.ticketId }, { populate: ['customer'] });
      if (!ticket) return;
      const customer = ticket.customer.getEntity();
      const articles = await suggestArticlesForTicket(channelContext(app, { id: customer.id, role: customer.role }, 'acknowledgement'), {
        ticketId: ticket.id,
        first: SUGGESTIONS,
      });
      await ticketTransaction(channelContext(app, null, 'acknowledgement'), async (work) => {
        const current = await work.em.findOne(Ticket, { id: ticket.id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
        const needed = current && (ACTIVE_STATUSES as readonly string[]).includes(current.status) && !current.firstResponseAt;
        if (needed) appendSystemMessage(work, current, acknowledgementText(current, articles, app.config.webUrl));
        await job.complete(work.em);
      });
    },
  };
}
