import { badInput } from '../../shared/errors';

/** Message cursors are the message's seq, opaque to clients. */
export function encodeMessageCursor(seq: number): string {
  return Buffer.from(`seq:${seq}`).toString('base64url');
}

export function decodeMessageCursor(cursor: string, field: string): number {
  const match = /^seq:(\d{1,10})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) throw badInput(field, `${field} is not a valid message cursor.`);
  return Number(match[1]);
}
