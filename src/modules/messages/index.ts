import { registerNodeFetcher } from '../../shared/node.resolver';
import { MessageFieldsResolver, ReadReceiptFieldsResolver, TicketMessagesResolver } from './message-fields.resolver';
import { MessageResolver } from './message.resolver';
import { findMessageForNode } from './message.service';

registerNodeFetcher('Message', findMessageForNode);

export const messageResolvers = [MessageResolver, MessageFieldsResolver, ReadReceiptFieldsResolver, TicketMessagesResolver];
