import { excerpt, planNotifications, type Directory, type PlanEvent, type PlanMessage, type PlanTicket } from '../../../src/modules/notifications/notification.rules';

/**
 * The fan-out rules as a table, on the pure planner (no server: it sits here, beside the
 * integration tests that drive the same rules end to end, because test/unit belongs to routing).
 */
const ticket = (overrides: Partial<PlanTicket> = {}): PlanTicket => ({
  id: 't1',
  number: 'TKT-1',
  subject: 'Refund',
  customerId: 'customer',
  department: 'billing',
  assigneeUserId: 'assignee',
  createdInUnit: false,
  ...overrides,
});

const directory: Directory = {
  staff: (department) => (department === 'billing' ? ['assignee', 'colleague', 'lead'] : ['assignee', 'colleague', 'lead', 'outsider']),
  supervisors: () => ['lead'],
};

const plan = (t: PlanTicket, events: PlanEvent[], messages: PlanMessage[] = []) =>
  planNotifications(new Map([[t.id, t]]), events, messages, directory)
    .map((n) => `${n.recipientId}:${n.kind}`)
    .sort();

const message = (from: PlanMessage['from'], authorId: string | null, internal = false): PlanMessage => ({ ticketId: 't1', from, internal, authorId, body: 'hi' });

it.each<[string, PlanTicket, PlanEvent[], PlanMessage[], string[]]>([
  [
    'a new ticket: its department, not the customer who opened it',
    ticket({ createdInUnit: true, assigneeUserId: null }),
    [{ kind: 'CREATED', ticketId: 't1', actorId: 'customer' }],
    [],
    ['assignee:NEW_TICKET', 'colleague:NEW_TICKET', 'lead:NEW_TICKET'],
  ],
  [
    'a new ticket without a department: every agent',
    ticket({ createdInUnit: true, department: null, assigneeUserId: null }),
    [{ kind: 'CREATED', ticketId: 't1', actorId: 'customer' }],
    [],
    ['assignee:NEW_TICKET', 'colleague:NEW_TICKET', 'lead:NEW_TICKET', 'outsider:NEW_TICKET'],
  ],
  [
    'a new ticket routed at once: "assigned" wins over "new" for the assignee; the customer hears nothing of the move to IN_PROGRESS',
    ticket({ createdInUnit: true }),
    [
      { kind: 'CREATED', ticketId: 't1', actorId: 'customer' },
      { kind: 'ASSIGNED', ticketId: 't1', actorId: null, agentUserId: 'assignee' },
      { kind: 'STATUS_CHANGED', ticketId: 't1', actorId: null, from: 'OPEN', to: 'IN_PROGRESS' },
    ],
    [],
    ['assignee:TICKET_ASSIGNED', 'colleague:NEW_TICKET', 'lead:NEW_TICKET'],
  ],
  ['taking a ticket oneself: nothing', ticket(), [{ kind: 'ASSIGNED', ticketId: 't1', actorId: 'assignee', agentUserId: 'assignee' }], [], []],
  ['unassigning: nothing for the agent', ticket({ assigneeUserId: null }), [{ kind: 'ASSIGNED', ticketId: 't1', actorId: 'lead', agentUserId: null }], [], []],
  [
    'handed over twice in one unit: only the final assignee',
    ticket({ assigneeUserId: 'colleague' }),
    [
      { kind: 'ASSIGNED', ticketId: 't1', actorId: 'lead', agentUserId: 'assignee' },
      { kind: 'ASSIGNED', ticketId: 't1', actorId: 'lead', agentUserId: 'colleague' },
    ],
    [],
    ['colleague:TICKET_ASSIGNED'],
  ],
  ['a customer message: the assignee', ticket(), [], [message('CUSTOMER', 'customer')], ['assignee:NEW_MESSAGE']],
  ['a customer message on an unassigned ticket: nobody', ticket({ assigneeUserId: null }), [], [message('CUSTOMER', 'customer')], []],
  [
    'a public reply that also moves the status: the message, once',
    ticket(),
    [{ kind: 'STATUS_CHANGED', ticketId: 't1', actorId: 'assignee', from: 'IN_PROGRESS', to: 'WAITING_ON_CUSTOMER' }],
    [message('AGENT', 'assignee')],
    ['customer:NEW_MESSAGE'],
  ],
  ['an internal note: nobody', ticket(), [], [message('AGENT', 'assignee', true)], []],
  ['a SYSTEM message: nobody', ticket(), [], [message('SYSTEM', null)], []],
  ['staff resolve: the customer', ticket(), [{ kind: 'STATUS_CHANGED', ticketId: 't1', actorId: 'assignee', from: 'IN_PROGRESS', to: 'RESOLVED' }], [], ['customer:STATUS_CHANGED']],
  ['the customer reopens: nobody', ticket(), [{ kind: 'STATUS_CHANGED', ticketId: 't1', actorId: 'customer', from: 'RESOLVED', to: 'IN_PROGRESS' }], [], []],
  [
    'there and back in one unit (a hand-back taken over at once): nothing',
    ticket(),
    [
      { kind: 'STATUS_CHANGED', ticketId: 't1', actorId: null, from: 'IN_PROGRESS', to: 'OPEN' },
      { kind: 'STATUS_CHANGED', ticketId: 't1', actorId: null, from: 'OPEN', to: 'IN_PROGRESS' },
    ],
    [],
    [],
  ],
  [
    'escalation: the assignee and the supervisors, not the actor nor the customer',
    ticket(),
    [{ kind: 'PRIORITY_CHANGED', ticketId: 't1', actorId: 'lead', from: 'NORMAL', to: 'URGENT' }],
    [],
    ['assignee:PRIORITY_ESCALATED'],
  ],
  [
    'escalation by someone else: the supervisors too',
    ticket(),
    [{ kind: 'PRIORITY_CHANGED', ticketId: 't1', actorId: 'colleague', from: 'LOW', to: 'HIGH' }],
    [],
    ['assignee:PRIORITY_ESCALATED', 'lead:PRIORITY_ESCALATED'],
  ],
  ['a lower priority: nobody', ticket(), [{ kind: 'PRIORITY_CHANGED', ticketId: 't1', actorId: 'colleague', from: 'HIGH', to: 'LOW' }], [], []],
])('%s', (_rule, t, events, messages, expected) => {
  expect(plan(t, events, messages)).toEqual(expected);
});

it('previews a message on one line, at most 140 characters', () => {
  expect(excerpt('  Hello\n\n there  ')).toBe('Hello there');
  expect(excerpt('x'.repeat(200))).toHaveLength(140);
});
