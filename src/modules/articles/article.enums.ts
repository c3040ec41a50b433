import { registerEnumType } from 'type-graphql';

/** DRAFT → PUBLISHED → ARCHIVED, and back to DRAFT; only PUBLISHED is public. */
export enum ArticleStatus {
  DRAFT = 'DRAFT',
  PUBLISHED = 'PUBLISHED',
  ARCHIVED = 'ARCHIVED',
}
registerEnumType(ArticleStatus, {
  name: 'ArticleStatus',
  valuesConfig: {
    DRAFT: { description: 'Being written; seen by staff only.' },
    PUBLISHED: { description: 'Public: anyone can read it, signed in or not.' },
    ARCHIVED: { description: 'Withdrawn from the help center; seen by staff only.' },
  },
});
