import type { GraphQLResolveInfo } from 'graphql';
import { Args, Ctx, FieldResolver, Info, Int, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '../../server/context';
import { notFound } from '../../shared/errors';
import { isReadOnlyValue } from '../../shared/read-only-entities';
import type { ConnectionShape } from '../../shared/pagination/connection';
import { nodeFieldsSelected } from '../../shared/pagination/selection';
import { User } from '../accounts/user.entity';
import { userById } from '../accounts/user.loaders';
import { Ticket } from '../tickets/ticket.entity';
import { ticketById } from '../tickets/ticket.loaders';
import { Attachment } from './attachment.entity';
import { Message } from './message.entity';
import { TicketMessagesArgs } from './message.inputs';
import { attachmentsByMessageId, readCursorsByTicketId, unreadCounts } from './message.loaders';
import { MessageConnection, ReadReceipt } from './message.payloads';
import { messageColumnsFor } from './message.rows';
import { ticketMessages, visibleBody } from './message.service';

@Resolver(() => Message)
export class MessageFieldsResolver {
  @FieldResolver(() => Ticket)
  async ticket(@Root() message: Message, @Ctx() ctx: RequestContext): Promise<Ticket> {
    const ticket = await ctx.loaders.get(ticketById).load(message.ticket.id);
    if (!ticket) throw notFound('Ticket');
    return ticket;
  }

  @FieldResolver(() => User, { nullable: true, description: 'Null for system messages.' })
  author(@Root() message: Message, @Ctx() ctx: RequestContext): Promise<User | null> | User | null {
    if (!message.author) return null;
    // messageAdded's shared pages come with their authors read already (see MessageFeed).
    if (isReadOnlyValue(message.author, User)) return message.author;
    return ctx.loaders.get(userById).load(message.author.id);
  }

  @FieldResolver(() => String, { description: 'Blank for everyone but its author and admins once the message is deleted.' })
  body(@Root() message: Message, @Ctx() ctx: RequestContext): string {
    return visibleBody(ctx.viewer, message);
  }

  @FieldResolver(() => [Attachment])
  attachments(@Root() message: Message, @Ctx() ctx: RequestContext): Promise<Attachment[]> {
    return ctx.loaders.get(attachmentsByMessageId).load(message.id);
  }

  @FieldResolver(() => [ReadReceipt], { description: 'Everyone but the author whose read cursor has reached this message.' })
  async readBy(@Root() message: Message, @Ctx() ctx: RequestContext): Promise<ReadReceipt[]> {
    const cursors = await ctx.loaders.get(readCursorsByTicketId).load(message.ticket.id);
    return cursors
      .filter((cursor) => cursor.lastReadSeq >= message.seq && cursor.user.id !== message.author?.id)
      .map((cursor) => ({ userId: cursor.user.id, readAt: cursor.readAt }));
  }
}

@Resolver(() => ReadReceipt)
export class ReadReceiptFieldsResolver {
  @FieldResolver(() => User)
  async user(@Root() receipt: ReadReceipt, @Ctx() ctx: RequestContext): Promise<User> {
    const user = await ctx.loaders.get(userById).load(receipt.userId);
    if (!user) throw notFound('User');
    return user;
  }
}

/** The conversation side of a ticket. */
@Resolver(() => Ticket)
export class TicketMessagesResolver {
  @FieldResolver(() => MessageConnection, {
    description: 'Oldest first. Internal notes are left out for customers. afterSeq: only messages with a greater seq.',
  })
  messages(
    @Root() ticket: Ticket,
    @Args(() => TicketMessagesArgs) args: TicketMessagesArgs,
    @Ctx() ctx: RequestContext,
    @Info() info: GraphQLResolveInfo,
  ): Promise<ConnectionShape<Message>> {
    return ticketMessages(ctx, ticket, args, messageColumnsFor(nodeFieldsSelected(info)));
  }

  @FieldResolver(() => Int, { description: 'Messages from the other side that the viewer has not read yet.' })
  unreadCount(@Root() ticket: Ticket, @Ctx() ctx: RequestContext): Promise<number> {
    return ctx.loaders.get(unreadCounts).load(ticket.id);
  }
}
