import { registerNodeFetcher } from '../../shared/node.resolver';
import { onTicketChanges } from '../tickets/ticket.lifecycle';
import { scheduleAcknowledgements } from './acknowledgement/acknowledgement.job';
import { AttachmentFieldsResolver } from './attachments/attachment-fields.resolver';
import { findAttachmentForViewer } from './attachments/upload.service';

registerNodeFetcher('Attachment', (ctx, id) => findAttachmentForViewer(ctx.app, ctx.viewer, id));

// Runs inside the ticket's transaction, so what it queues commits (or rolls back) with it.
onTicketChanges(scheduleAcknowledgements);

export { createChannels, type Channels } from './channels';
export const channelResolvers = [AttachmentFieldsResolver];
