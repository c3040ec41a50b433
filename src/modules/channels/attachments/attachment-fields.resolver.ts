import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '../../../server/context';
import { requireViewer } from '../../../shared/auth/guards';
import { Attachment } from '../../messages/attachment.entity';
import { downloadUrl } from './download-link';

@Resolver(() => Attachment)
export class AttachmentFieldsResolver {
  @FieldResolver(() => String, {
    description:
      'Where the viewer downloads the file: a link signed for them that expires after a few minutes (query it again for a fresh one). Also works with the bearer token instead of the signature.',
  })
  url(@Root() attachment: Attachment, @Ctx() ctx: RequestContext): string {
    const viewer = requireViewer(ctx);
    return downloadUrl(ctx.app.config, attachment.id, viewer.userId);
  }
}
