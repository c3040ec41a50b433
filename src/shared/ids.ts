import { randomBytes } from 'node:crypto';

const CROCKFORD = '0123456789abcdefghjkmnpqrstvwxyz';

/**
 * Prefixed, time-ordered ids (`tkt_01j…`): readable in logs and support chats, typed by their
 * prefix (so `node(id)` knows the table without a lookup), and sortable by creation time.
 */
export const ID_PREFIXES = {
  User: 'usr',
  Agent: 'agt',
  Session: 'ses',
  Ticket: 'tkt',
  TicketEvent: 'tev',
  Message: 'msg',
  Attachment: 'att',
  Article: 'art',
  Faq: 'faq',
  Notification: 'ntf',
} as const;

export type NodeTypeName = keyof typeof ID_PREFIXES;

let lastTime = 0;
let lastRandom: Buffer = Buffer.alloc(10);

/** A ULID-style id: 48-bit millisecond time + 80 random bits, monotonic within a millisecond. */
export function newId(type: NodeTypeName): string {
  const now = Date.now();
  let random: Buffer;
  if (now === lastTime) {
    random = Buffer.from(lastRandom);
    for (let i = random.length - 1; i >= 0; i--) {
      random[i] = (random[i] + 1) & 0xff;
      if (random[i] !== 0) break;
    }
  } else {
    random = randomBytes(10);
  }
  lastTime = now;
  lastRandom = random;
  return `${ID_PREFIXES[type]}_${encodeTime(now)}${encodeRandom(random)}`;
}

function encodeTime(time: number): string {
  let out = '';
  for (let i = 0; i < 10; i++) {
    out = CROCKFORD[time % 32] + out;
    time = Math.floor(time / 32);
  }
  return out;
}

function encodeRandom(bytes: Buffer): string {
  let bits = 0n;
  for (const byte of bytes) bits = (bits << 8n) | BigInt(byte);
  let out = '';
  for (let i = 0; i < 16; i++) {
    out = CROCKFORD[Number(bits & 31n)] + out;
    bits >>= 5n;
  }
  return out;
}

const ID_PATTERN = /^([a-z]{3})_[0-9a-z]{26}$/;

/** The type an id names, or null when it is not one of ours. */
export function typeOfId(id: string): NodeTypeName | null {
  const match = ID_PATTERN.exec(id);
  if (!match) return null;
  const entry = Object.entries(ID_PREFIXES).find(([, prefix]) => prefix === match[1]);
  return entry ? (entry[0] as NodeTypeName) : null;
}

/** True when `id` is well-formed and names `type`. */
export function isIdOf(id: string, type: NodeTypeName): boolean {
  return typeOfId(id) === type;
}
