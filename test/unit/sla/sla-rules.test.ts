import { SlaStatus, SlaTarget } from '../../../src/modules/sla/sla.enums';
import { DEFAULT_SLA_POLICY, NO_SLA_POLICY, parseSlaPolicy, targetsFor } from '../../../src/modules/sla/sla.policy';
import { effectiveResolutionDueAt, missedTargets, moveSlaClock, planSla, replanSla, slaStatus, type SlaClockFields } from '../../../src/modules/sla/sla.rules';
import { TicketPriority, TicketStatus } from '../../../src/modules/tickets/ticket.enums';

const MIN = 60_000;
const HOUR = 60 * MIN;
const T0 = new Date('2026-03-10T10:00:00Z');
const at = (ms: number) => new Date(T0.getTime() + ms);
const urgent = DEFAULT_SLA_POLICY.byPriority.URGENT; // 15 min / 4 h

/** A ticket created at T0 under the URGENT targets, then changed by `overrides`. */
function ticket(overrides: Partial<SlaClockFields> = {}): SlaClockFields {
  const t: SlaClockFields = { createdAt: T0, status: TicketStatus.OPEN };
  planSla(t, urgent);
  return Object.assign(t, overrides);
}

describe('SLA policy', () => {
  it('has a target per priority by default, from 15 minutes / 4 hours (URGENT) to 24 hours / 5 days (LOW)', () => {
    expect(targetsFor(DEFAULT_SLA_POLICY, TicketPriority.URGENT, null)).toEqual({ firstResponseMs: 15 * MIN, resolutionMs: 4 * HOUR });
    expect(targetsFor(DEFAULT_SLA_POLICY, TicketPriority.LOW, 'billing')).toEqual({ firstResponseMs: 24 * HOUR, resolutionMs: 120 * HOUR });
  });

  it('reads overrides per priority and per department (case-insensitively), keeping the other defaults', () => {
    const policy = parseSlaPolicy(
      JSON.stringify({ URGENT: { firstResponse: '10m', resolution: '2h' }, LOW: null, departments: { VIP: { HIGH: { firstResponse: 30, resolution: '1.5d' } } } }),
    );
    expect(targetsFor(policy, TicketPriority.URGENT, null)).toEqual({ firstResponseMs: 10 * MIN, resolutionMs: 2 * HOUR });
    expect(targetsFor(policy, TicketPriority.LOW, null)).toBeNull();
    expect(targetsFor(policy, TicketPriority.HIGH, 'vip')).toEqual({ firstResponseMs: 30 * MIN, resolutionMs: 36 * HOUR });
    expect(targetsFor(policy, TicketPriority.HIGH, 'Sales')).toEqual(DEFAULT_SLA_POLICY.byPriority.HIGH);
    expect(targetsFor(policy, TicketPriority.NORMAL, 'vip')).toEqual(DEFAULT_SLA_POLICY.byPriority.NORMAL);
  });

  it('turns off with "off" and explains what is wrong with a bad policy', () => {
    expect(parseSlaPolicy('off')).toBe(NO_SLA_POLICY);
    expect(() => parseSlaPolicy('{"URGENT":{"firstResponse":"soon"}}')).toThrow(/URGENT.firstResponse/);
    expect(() => parseSlaPolicy('{"SOMETIMES":{}}')).toThrow();
    expect(() => parseSlaPolicy('not json')).toThrow(/JSON/);
  });
});

describe('planning', () => {
  it('sets both due dates from creation', () => {
    const t = ticket();
    expect(t.firstResponseDueAt).toEqual(at(15 * MIN));
    expect(t.resolutionDueAt).toEqual(at(4 * HOUR));
    expect(t.slaPausedAt).toBeNull();
  });

  it('plans nothing where no policy applies, and the status is NONE', () => {
    const t = ticket();
    planSla(t, null);
    expect(t.firstResponseDueAt).toBeNull();
    expect(slaStatus(t, null, at(HOUR))).toBe(SlaStatus.NONE);
  });
});

describe('pausing', () => {
  it('stops the resolution clock while waiting on the customer and pushes the due date back by the pause', () => {
    const t = ticket({ status: TicketStatus.IN_PROGRESS });
    moveSlaClock(t, TicketStatus.IN_PROGRESS, TicketStatus.WAITING_ON_CUSTOMER, at(HOUR));
    expect(t.slaPausedAt).toEqual(at(HOUR));
    t.status = TicketStatus.WAITING_ON_CUSTOMER;
    // While paused, the due date shown moves with the pause.
    expect(effectiveResolutionDueAt(t, at(3 * HOUR))).toEqual(at(6 * HOUR));
    moveSlaClock(t, TicketStatus.WAITING_ON_CUSTOMER, TicketStatus.IN_PROGRESS, at(3 * HOUR));
    expect(t.slaPausedAt).toBeNull();
    expect(t.resolutionDueAt).toEqual(at(6 * HOUR));
    // The first-response clock never pauses.
    expect(t.firstResponseDueAt).toEqual(at(15 * MIN));
  });

  it('keeps the clock stopped across WAITING_ON_CUSTOMER → RESOLVED, and a reopen resumes it', () => {
    const t = ticket({ status: TicketStatus.IN_PROGRESS });
    moveSlaClock(t, TicketStatus.IN_PROGRESS, TicketStatus.WAITING_ON_CUSTOMER, at(HOUR));
    moveSlaClock(t, TicketStatus.WAITING_ON_CUSTOMER, TicketStatus.RESOLVED, at(2 * HOUR));
    expect(t.slaPausedAt).toEqual(at(HOUR));
    moveSlaClock(t, TicketStatus.RESOLVED, TicketStatus.OPEN, at(5 * HOUR));
    expect(t.resolutionDueAt).toEqual(at(8 * HOUR));
  });
});

describe('re-planning on a priority change', () => {
  it('counts the new targets from creation and keeps the pauses so far', () => {
    const t = ticket({ status: TicketStatus.IN_PROGRESS });
    moveSlaClock(t, TicketStatus.IN_PROGRESS, TicketStatus.WAITING_ON_CUSTOMER, at(HOUR));
    moveSlaClock(t, TicketStatus.WAITING_ON_CUSTOMER, TicketStatus.IN_PROGRESS, at(2 * HOUR)); // one hour paused
    replanSla(t, urgent, DEFAULT_SLA_POLICY.byPriority.LOW, at(3 * HOUR));
    expect(t.firstResponseDueAt).toEqual(at(24 * HOUR));
    expect(t.resolutionDueAt).toEqual(at(121 * HOUR));
  });

  it('leaves a first response that already happened as it was judged', () => {
    const t = ticket({ status: TicketStatus.IN_PROGRESS, firstResponseAt: at(10 * MIN) });
    replanSla(t, urgent, DEFAULT_SLA_POLICY.byPriority.LOW, at(HOUR));
    expect(t.firstResponseDueAt).toEqual(at(15 * MIN));
  });

  it('starts a clock paused when an SLA first applies to a ticket already waiting on the customer', () => {
    const t = ticket({ status: TicketStatus.WAITING_ON_CUSTOMER, firstResponseDueAt: null, resolutionDueAt: null });
    replanSla(t, null, urgent, at(HOUR));
    expect(t.slaPausedAt).toEqual(at(HOUR));
  });
});

describe('status', () => {
  it('is ON_TRACK with time left, AT_RISK with less than a fifth of a target left, BREACHED past a due date', () => {
    const t = ticket();
    expect(slaStatus(t, urgent, at(11 * MIN))).toBe(SlaStatus.ON_TRACK);
    expect(slaStatus(t, urgent, at(12 * MIN + 1))).toBe(SlaStatus.AT_RISK);
    expect(slaStatus(t, urgent, at(15 * MIN))).toBe(SlaStatus.AT_RISK);
    expect(slaStatus(t, urgent, at(15 * MIN + 1))).toBe(SlaStatus.BREACHED);
  });

  it('watches the resolution target once the first reply is in', () => {
    const t = ticket({ firstResponseAt: at(5 * MIN), status: TicketStatus.IN_PROGRESS });
    expect(slaStatus(t, urgent, at(3 * HOUR))).toBe(SlaStatus.ON_TRACK);
    expect(slaStatus(t, urgent, at(3 * HOUR + 12 * MIN + 1))).toBe(SlaStatus.AT_RISK);
    expect(missedTargets(t, at(4 * HOUR + 1))).toEqual([{ target: SlaTarget.RESOLUTION, dueAt: at(4 * HOUR) }]);
  });

  it('does not run out while paused', () => {
    const t = ticket({ firstResponseAt: at(5 * MIN), status: TicketStatus.WAITING_ON_CUSTOMER, slaPausedAt: at(HOUR) });
    t.firstResponseDueAt = at(15 * MIN);
    t.resolutionDueAt = at(4 * HOUR);
    expect(slaStatus(t, urgent, at(100 * HOUR))).toBe(SlaStatus.ON_TRACK);
  });

  it('is MET once resolved within every target, BREACHED when resolved late or answered late', () => {
    const onTime = ticket({ firstResponseAt: at(5 * MIN), status: TicketStatus.RESOLVED, resolvedAt: at(2 * HOUR), slaPausedAt: at(2 * HOUR) });
    expect(slaStatus(onTime, urgent, at(100 * HOUR))).toBe(SlaStatus.MET);
    const late = ticket({ firstResponseAt: at(5 * MIN), status: TicketStatus.RESOLVED, resolvedAt: at(5 * HOUR), slaPausedAt: at(5 * HOUR) });
    expect(slaStatus(late, urgent, at(100 * HOUR))).toBe(SlaStatus.BREACHED);
    const slowReply = ticket({ firstResponseAt: at(20 * MIN), status: TicketStatus.CLOSED, resolvedAt: at(HOUR), slaPausedAt: at(HOUR) });
    expect(missedTargets(slowReply, at(100 * HOUR)).map((m) => m.target)).toEqual([SlaTarget.FIRST_RESPONSE]);
  });

  it('stays BREACHED once the job marked it, even after a re-plan gives more time', () => {
    const t = ticket({ slaBreachedAt: at(15 * MIN) });
    replanSla(t, urgent, DEFAULT_SLA_POLICY.byPriority.LOW, at(HOUR));
    expect(slaStatus(t, DEFAULT_SLA_POLICY.byPriority.LOW, at(HOUR))).toBe(SlaStatus.BREACHED);
  });
});
