import { registerEnumType } from 'type-graphql';

export enum MessageAuthorKind {
  CUSTOMER = 'CUSTOMER',
  AGENT = 'AGENT',
  SYSTEM = 'SYSTEM',
}
registerEnumType(MessageAuthorKind, { name: 'MessageAuthorKind' });

export enum MessageKind {
  TEXT = 'TEXT',
  IMAGE = 'IMAGE',
  FILE = 'FILE',
  SYSTEM = 'SYSTEM',
}
registerEnumType(MessageKind, { name: 'MessageKind' });
