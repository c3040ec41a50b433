import { formatTicketNumber, TICKET_NUMBER_PATTERN, ticketDay } from '../../../src/modules/tickets/ticket-number';
import { decodeMessageCursor, encodeMessageCursor } from '../../../src/modules/messages/message-cursor';
import { newId, typeOfId } from '../../../src/shared/ids';

describe('ticket numbers', () => {
  it('are TKT-YYYYMMDD-NNNNN in UTC', () => {
    expect(ticketDay(new Date('2026-03-04T23:59:59.999Z'))).toBe('20260304');
    expect(formatTicketNumber('20260304', 7)).toBe('TKT-20260304-00007');
    expect(TICKET_NUMBER_PATTERN.test('TKT-20260304-00007')).toBe(true);
  });

  it('grow a digit past 99,999 a day rather than wrap', () => {
    expect(formatTicketNumber('20260304', 100_000)).toBe('TKT-20260304-100000');
  });
});

describe('ids', () => {
  it('carry their type and sort by creation', () => {
    const ids = Array.from({ length: 1000 }, () => newId('Ticket'));
    expect(ids.every((id) => typeOfId(id) === 'Ticket')).toBe(true);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('reject what is not ours', () => {
    expect(typeOfId('tkt_short')).toBeNull();
    expect(typeOfId('zzz_00000000000000000000000000')).toBeNull();
  });
});

describe('message cursors', () => {
  it('round-trip a seq and refuse garbage', () => {
    expect(decodeMessageCursor(encodeMessageCursor(42), 'after')).toBe(42);
    expect(() => decodeMessageCursor('nonsense', 'after')).toThrow(/valid message cursor/);
  });
});
