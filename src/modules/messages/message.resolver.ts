import { Arg, Ctx, ID, Mutation, Resolver } from 'type-graphql';
import type { RequestContext } from '../../server/context';
import { rateLimit } from '../../server/security';
import { TicketPayload } from '../tickets/ticket.payloads';
import { EditMessageInput, SendMessageInput } from './message.inputs';
import { MessagePayload, SendMessagePayload } from './message.payloads';
import * as messages from './message.service';

@Resolver()
export class MessageResolver {
  @Mutation(() => SendMessagePayload, { description: 'Idempotent on clientMessageId: a resend returns the first message.' })
  async sendMessage(@Arg('input') input: SendMessageInput, @Ctx() ctx: RequestContext): Promise<SendMessagePayload> {
    await rateLimit(ctx, 'sendMessage');
    return { message: await messages.sendMessage(ctx, input) };
  }

  @Mutation(() => MessagePayload, { description: 'The author, within 5 minutes of sending.' })
  async editMessage(@Arg('input') input: EditMessageInput, @Ctx() ctx: RequestContext): Promise<MessagePayload> {
    return { message: await messages.editMessage(ctx, input) };
  }

  @Mutation(() => MessagePayload, { description: 'The author or an admin; soft: the message keeps its seq, its body is blanked for others.' })
  async deleteMessage(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext): Promise<MessagePayload> {
    return { message: await messages.deleteMessage(ctx, id) };
  }

  @Mutation(() => TicketPayload, { description: 'Marks every message of the ticket read for the viewer.' })
  async markTicketRead(@Arg('ticketId', () => ID) ticketId: string, @Ctx() ctx: RequestContext): Promise<TicketPayload> {
    return { ticket: await messages.markTicketRead(ctx, ticketId) };
  }
}
