import { inlineParameters } from '../../../src/modules/dashboard/dashboard.queries';

describe('inlineParameters (the dashboard statements go as one simple query)', () => {
  it('quotes strings, so a value can never end its literal', () => {
    expect(inlineParameters('select ? as a', ["o'brien\\ ); drop table tickets; --"])).toBe(
      "select  E'o''brien\\\\ ); drop table tickets; --' as a",
    );
  });

  it('writes dates as ISO literals, numbers, booleans and null as themselves', () => {
    const at = new Date('2026-11-21T10:00:00.000Z');
    expect(inlineParameters('? ? ? ? ?', [at, 42, 1.5, true, null])).toBe("'2026-11-21T10:00:00.000Z' 42 1.5 true null");
  });

  it('refuses a parameter count that does not match the placeholders, and values it cannot write', () => {
    expect(() => inlineParameters('select ?, ?', [1])).toThrow('2 placeholders for 1 parameters');
    expect(() => inlineParameters('select ?', [Number.NaN])).toThrow();
    expect(() => inlineParameters('select ?', [{ a: 1 }])).toThrow();
  });
});
