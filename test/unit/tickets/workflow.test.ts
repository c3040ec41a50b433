import { TicketStatus as S } from '../../../src/modules/tickets/ticket.enums';
import {
  statusAfterAgentReply,
  statusAfterAssignment,
  statusAfterCustomerMessage,
  transitionProblem,
} from '../../../src/modules/tickets/ticket.workflow';

describe('ticket workflow', () => {
  const assigned = (status: S) => ({ status, assigned: true });
  const unassigned = (status: S) => ({ status, assigned: false });

  it.each([
    [S.OPEN, S.IN_PROGRESS],
    [S.OPEN, S.RESOLVED],
    [S.IN_PROGRESS, S.WAITING_ON_CUSTOMER],
    [S.WAITING_ON_CUSTOMER, S.RESOLVED],
    [S.RESOLVED, S.CLOSED],
    [S.RESOLVED, S.IN_PROGRESS],
    [S.CLOSED, S.OPEN],
  ])('allows %s → %s', (from, to) => {
    expect(transitionProblem(assigned(from), to)).toBeNull();
  });

  it.each([
    [S.CLOSED, S.RESOLVED],
    [S.CLOSED, S.WAITING_ON_CUSTOMER],
    [S.RESOLVED, S.WAITING_ON_CUSTOMER],
  ])('refuses %s → %s', (from, to) => {
    expect(transitionProblem(assigned(from), to)).toMatch(/cannot become/);
  });

  it('refuses IN_PROGRESS without an assignee', () => {
    expect(transitionProblem(unassigned(S.OPEN), S.IN_PROGRESS)).toMatch(/Assign/);
  });

  it('treats a move to the current status as no move', () => {
    expect(transitionProblem(unassigned(S.CLOSED), S.CLOSED)).toBeNull();
  });

  it('reopens on a customer message, with the agent when there is one', () => {
    expect(statusAfterCustomerMessage(assigned(S.RESOLVED))).toBe(S.IN_PROGRESS);
    expect(statusAfterCustomerMessage(unassigned(S.CLOSED))).toBe(S.OPEN);
    expect(statusAfterCustomerMessage(assigned(S.WAITING_ON_CUSTOMER))).toBe(S.IN_PROGRESS);
    expect(statusAfterCustomerMessage(unassigned(S.WAITING_ON_CUSTOMER))).toBe(S.OPEN);
    expect(statusAfterCustomerMessage(assigned(S.IN_PROGRESS))).toBe(S.IN_PROGRESS);
  });

  it('waits on the customer after a public agent reply, unless already done', () => {
    expect(statusAfterAgentReply(unassigned(S.OPEN))).toBe(S.WAITING_ON_CUSTOMER);
    expect(statusAfterAgentReply(assigned(S.IN_PROGRESS))).toBe(S.WAITING_ON_CUSTOMER);
    expect(statusAfterAgentReply(assigned(S.RESOLVED))).toBe(S.RESOLVED);
  });

  it('starts work on assignment and returns work to the queue on unassignment', () => {
    expect(statusAfterAssignment(unassigned(S.OPEN), true)).toBe(S.IN_PROGRESS);
    expect(statusAfterAssignment(assigned(S.IN_PROGRESS), false)).toBe(S.OPEN);
    expect(statusAfterAssignment(assigned(S.WAITING_ON_CUSTOMER), false)).toBe(S.WAITING_ON_CUSTOMER);
  });
});
