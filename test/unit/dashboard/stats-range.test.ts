import { addDays, localDate, resolveScope, splitAtHours, startOfLocalDate } from '../../../src/modules/dashboard/stats-range';

const iso = (value: Date) => value.toISOString();

describe('time-zone days', () => {
  it('names the calendar day of an instant in a zone', () => {
    expect(localDate(new Date('2026-03-10T03:59:59Z'), 'America/New_York')).toBe('2026-03-09');
    expect(localDate(new Date('2026-03-10T04:00:00Z'), 'America/New_York')).toBe('2026-03-10');
    expect(localDate(new Date('2026-03-09T18:29:59Z'), 'Asia/Kolkata')).toBe('2026-03-09');
    expect(localDate(new Date('2026-03-09T18:30:00Z'), 'Asia/Kolkata')).toBe('2026-03-10');
  });

  it('finds when a day begins, across daylight-saving changes and fractional offsets', () => {
    expect(iso(startOfLocalDate('2026-03-08', 'America/New_York'))).toBe('2026-03-08T05:00:00.000Z'); // EST; DST starts at 2:00
    expect(iso(startOfLocalDate('2026-03-09', 'America/New_York'))).toBe('2026-03-09T04:00:00.000Z'); // EDT
    expect(iso(startOfLocalDate('2026-11-01', 'America/New_York'))).toBe('2026-11-01T04:00:00.000Z'); // still EDT at midnight
    expect(iso(startOfLocalDate('2026-03-10', 'Asia/Kolkata'))).toBe('2026-03-09T18:30:00.000Z');
    expect(iso(startOfLocalDate('2026-03-10', 'UTC'))).toBe('2026-03-10T00:00:00.000Z');
  });

  it('starts the day when the clocks land where midnight does not exist', () => {
    // Chile moves its clocks from 24:00 to 01:00 in September.
    expect(iso(startOfLocalDate('2026-09-06', 'America/Santiago'))).toBe('2026-09-06T04:00:00.000Z');
    expect(localDate(startOfLocalDate('2026-09-06', 'America/Santiago'), 'America/Santiago')).toBe('2026-09-06');
  });

  it('adds calendar days', () => {
    expect(addDays('2026-02-27', 3)).toBe('2026-03-02');
    expect(addDays('2026-03-10', -29)).toBe('2026-02-09');
  });
});

describe('resolveScope', () => {
  const now = new Date('2026-03-10T15:30:00Z');

  it('covers the last 30 days by default, today included, from local midnight', () => {
    const scope = resolveScope(null, now, 'America/New_York');
    expect(iso(scope.from)).toBe('2026-02-09T05:00:00.000Z');
    expect(scope.to).toBe(now);
    expect(scope.days).toHaveLength(30);
    expect(scope.days[0]).toBe('2026-02-09');
    expect(scope.days.at(-1)).toBe('2026-03-10');
  });

  it('lists every day the range touches', () => {
    const scope = resolveScope({ from: new Date('2026-03-01T23:00:00Z'), to: new Date('2026-03-03T00:00:00Z') }, now, 'UTC');
    expect(scope.days).toEqual(['2026-03-01', '2026-03-02']);
  });

  it('rejects an empty or reversed range, one longer than 366 days, and an id that is not an agent', () => {
    expect(() => resolveScope({ from: now, to: now }, now, 'UTC')).toThrow(expect.objectContaining({ code: 'BAD_USER_INPUT' }));
    expect(() => resolveScope({ from: new Date('2024-01-01T00:00:00Z') }, now, 'UTC')).toThrow(expect.objectContaining({ code: 'BAD_USER_INPUT' }));
    expect(() => resolveScope({ agentId: 'tkt_01jx0000000000000000000000' }, now, 'UTC')).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
  });

  it('trims the department and treats an empty one as none', () => {
    expect(resolveScope({ department: '  billing ' }, now, 'UTC').department).toBe('billing');
    expect(resolveScope({ department: '  ' }, now, 'UTC').department).toBeNull();
  });
});

describe('splitAtHours', () => {
  it('keeps whole hours for the rollups and hands the ragged ends to the tickets table', () => {
    const split = splitAtHours(new Date('2026-03-10T09:30:00Z'), new Date('2026-03-10T11:25:00Z'));
    expect(split.hours && [iso(split.hours.from), iso(split.hours.to)]).toEqual(['2026-03-10T10:00:00.000Z', '2026-03-10T11:00:00.000Z']);
    expect(split.edges.map((edge) => [iso(edge.from), iso(edge.to)])).toEqual([
      ['2026-03-10T09:30:00.000Z', '2026-03-10T10:00:00.000Z'],
      ['2026-03-10T11:00:00.000Z', '2026-03-10T11:25:00.000Z'],
    ]);
  });

  it('has no whole hour inside one hour', () => {
    const split = splitAtHours(new Date('2026-03-10T09:10:00Z'), new Date('2026-03-10T09:50:00Z'));
    expect(split.hours).toBeNull();
    expect(split.edges).toHaveLength(1);
  });
});

describe('UTC without Intl', () => {
  it('reads the same wall clock for UTC as Intl does', () => {
    const format = new Intl.DateTimeFormat('en-CA', { timeZone: 'UTC', year: 'numeric', month: '2-digit', day: '2-digit' });
    for (const at of [Date.UTC(2024, 1, 29, 23, 59, 59, 999), Date.UTC(2026, 0, 1), Date.UTC(1999, 11, 31, 12, 30)]) {
      expect(localDate(new Date(at), 'UTC')).toBe(format.format(new Date(at)));
      expect(localDate(new Date(at), 'Etc/UTC')).toBe(format.format(new Date(at)));
    }
    expect(startOfLocalDate('2026-03-29', 'UTC').toISOString()).toBe('2026-03-29T00:00:00.000Z');
  });
});
