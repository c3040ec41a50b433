import { registerNodeFetcher } from '../../shared/node.resolver';
import { onTicketChanges } from '../tickets/ticket.lifecycle';
import { scheduleAcknowledgements } from './acknowledgement/acknowledgement.job';
import { AttachmentFieldsResolver } from './attachments/attachment-fields.resolver';
import { findAttachmentForNode } from './attachments/upload.service';
import { MessageDeliveryFieldsResolver } from './message-delivery-fields.resolver';
import { queueMessengerReplies } from './messenger/messenger.outbound';

registerNodeFetcher('Attachment', findAttachmentForNode);

// Both run inside the ticket's transaction, so what they queue commits (or rolls back) with it.
onTicketChanges(scheduleAcknowledgements);
onTicketChanges(queueMessengerReplies);

export { createChannels, type Channels } from './channels';
export const channelResolvers = [AttachmentFieldsResolver, MessageDeliveryFieldsResolver];
