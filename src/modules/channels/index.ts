import { registerNodeFetcher } from '../../shared/node.resolver';
import { AttachmentFieldsResolver } from './attachments/attachment-fields.resolver';
import { findAttachmentForViewer } from './attachments/upload.service';

registerNodeFetcher('Attachment', (ctx, id) => findAttachmentForViewer(ctx.app, ctx.viewer, id));

export { createChannels, type Channels } from './channels';
export const channelResolvers = [AttachmentFieldsResolver];
