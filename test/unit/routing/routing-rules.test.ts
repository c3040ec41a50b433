import {
  assignmentNote,
  compareQueued,
  rankCandidates,
  ticketLabels,
  type RoutingCandidate,
  type RoutingTicket,
} from '../../../src/modules/routing/routing.rules';

const ticket = (overrides: Partial<RoutingTicket> = {}): RoutingTicket => ({ department: 'billing', category: null, tags: [], language: null, ...overrides });

const agent = (agentId: string, overrides: Partial<RoutingCandidate> = {}): RoutingCandidate => ({
  agentId,
  department: 'billing',
  status: 'AVAILABLE',
  active: true,
  skills: [],
  languages: ['en'],
  activeTicketCount: 0,
  maxConcurrentTickets: 3,
  lastAssignedAt: null,
  ...overrides,
});

const at = (minute: number) => new Date(Date.UTC(2026, 0, 1, 9, minute));

describe('who may take a ticket', () => {
  it.each([
    ['an AVAILABLE agent of the department', agent('a'), true],
    ['a BUSY agent', agent('a', { status: 'BUSY' }), false],
    ['an AWAY agent', agent('a', { status: 'AWAY' }), false],
    ['an OFFLINE agent', agent('a', { status: 'OFFLINE' }), false],
    ['a deactivated agent', agent('a', { active: false }), false],
    ['an agent at capacity', agent('a', { activeTicketCount: 3 }), false],
    ['an agent over capacity (a manual assignment)', agent('a', { activeTicketCount: 4 }), false],
    ['an agent one below capacity', agent('a', { activeTicketCount: 2 }), true],
    ['an agent of another department', agent('a', { department: 'sales' }), false],
    ['an agent without a department', agent('a', { department: null }), false],
  ])('%s: %s', (_name, candidate, eligible) => {
    expect(rankCandidates(ticket(), [candidate]).length).toBe(eligible ? 1 : 0);
  });

  it.each([
    ['of any department', agent('a', { department: 'sales' })],
    ['without a department', agent('a', { department: null })],
  ])('a ticket without a department may go to an agent %s', (_name, candidate) => {
    expect(rankCandidates(ticket({ department: null }), [candidate])).toHaveLength(1);
  });
});

describe('who gets it first', () => {
  // Each row: the ticket, two candidates, and who should win; the rules apply in this order.
  it.each<[string, RoutingTicket, RoutingCandidate, RoutingCandidate, string]>([
    [
      'more matched skills win over fewer',
      ticket({ category: 'refunds', tags: ['vip'] }),
      agent('one', { skills: ['refunds'] }),
      agent('two', { skills: ['refunds', 'vip'] }),
      'two',
    ],
    ['skills match case-insensitively', ticket({ category: 'Refunds' }), agent('one'), agent('two', { skills: ['REFUNDS'] }), 'two'],
    ['a skill match beats a lighter load', ticket({ tags: ['api'] }), agent('one'), agent('two', { skills: ['api'], activeTicketCount: 2 }), 'two'],
    ['a skill match beats language', ticket({ tags: ['api'], language: 'de' }), agent('one', { languages: ['de'] }), agent('two', { skills: ['api'] }), 'two'],
    ['language breaks a skill tie', ticket({ language: 'DE' }), agent('one'), agent('two', { languages: ['en', 'de'] }), 'two'],
    ['an unknown language breaks no tie', ticket({ language: null }), agent('one', { activeTicketCount: 1 }), agent('two', { languages: ['de'], activeTicketCount: 2 }), 'one'],
    ['language beats a lighter load', ticket({ language: 'fr' }), agent('one'), agent('two', { languages: ['fr'], activeTicketCount: 2 }), 'two'],
    ['fewer active tickets win', ticket(), agent('one', { activeTicketCount: 2 }), agent('two', { activeTicketCount: 1 }), 'two'],
    ['then the longest since the last assignment', ticket(), agent('one', { lastAssignedAt: at(30) }), agent('two', { lastAssignedAt: at(10) }), 'two'],
    ['never assigned counts as longest', ticket(), agent('one', { lastAssignedAt: at(1) }), agent('two'), 'two'],
    ['then the agent id, so every instance agrees', ticket(), agent('b'), agent('a'), 'a'],
  ])('%s', (_rule, routingTicket, first, second, winner) => {
    expect(rankCandidates(routingTicket, [first, second])[0].agentId).toBe(winner);
    expect(rankCandidates(routingTicket, [second, first])[0].agentId).toBe(winner);
  });

  it('matches the category and the tags, once each', () => {
    expect(ticketLabels({ category: ' Refunds ', tags: ['refunds', 'vip', ''] })).toEqual(['refunds', 'vip']);
  });
});

describe('the ASSIGNED note', () => {
  it.each<[string, RoutingTicket, RoutingCandidate, number, string]>([
    ['a skill', ticket({ category: 'refunds' }), agent('a', { skills: ['refunds'] }), 1, 'auto-assigned: skill refunds, 1 of 3 active'],
    ['skills', ticket({ category: 'refunds', tags: ['vip'] }), agent('a', { skills: ['vip', 'refunds'] }), 2, 'auto-assigned: skills refunds, vip, 2 of 3 active'],
    ['a language', ticket({ language: 'de' }), agent('a', { languages: ['de'] }), 1, 'auto-assigned: language de, 1 of 3 active'],
    ['neither', ticket(), agent('a', { maxConcurrentTickets: 5 }), 3, 'auto-assigned: least busy, 3 of 5 active'],
  ])('names %s', (_what, routingTicket, candidate, activeAfter, note) => {
    const [ranked] = rankCandidates(routingTicket, [candidate]);
    expect(assignmentNote(ranked, routingTicket.language, activeAfter)).toBe(note);
  });
});

describe('queue order', () => {
  it('puts the most urgent first, then the longest waiting, then the id', () => {
    const queued = [
      { id: 'normal-late', priorityRank: 1, queuedAt: at(20) },
      { id: 'low-early', priorityRank: 0, queuedAt: at(0) },
      { id: 'urgent-late', priorityRank: 3, queuedAt: at(30) },
      { id: 'normal-early-b', priorityRank: 1, queuedAt: at(10) },
      { id: 'normal-early-a', priorityRank: 1, queuedAt: at(10) },
    ];
    expect([...queued].sort(compareQueued).map((entry) => entry.id)).toEqual(['urgent-late', 'normal-early-a', 'normal-early-b', 'normal-late', 'low-early']);
  });
});
