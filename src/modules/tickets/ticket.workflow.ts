import { TicketStatus } from './ticket.enums';

/**
 * The ticket status workflow, as pure functions: which moves make sense, and where messages and
 * assignment take a ticket. Services apply these; the unit tests pin them down.
 */

const ALLOWED: Record<TicketStatus, readonly TicketStatus[]> = {
  [TicketStatus.OPEN]: [TicketStatus.IN_PROGRESS, TicketStatus.WAITING_ON_CUSTOMER, TicketStatus.RESOLVED, TicketStatus.CLOSED],
  [TicketStatus.IN_PROGRESS]: [TicketStatus.OPEN, TicketStatus.WAITING_ON_CUSTOMER, TicketStatus.RESOLVED, TicketStatus.CLOSED],
  [TicketStatus.WAITING_ON_CUSTOMER]: [TicketStatus.OPEN, TicketStatus.IN_PROGRESS, TicketStatus.RESOLVED, TicketStatus.CLOSED],
  // Reopening goes back to work (OPEN, or IN_PROGRESS when someone owns it); a resolved ticket can be closed.
  [TicketStatus.RESOLVED]: [TicketStatus.OPEN, TicketStatus.IN_PROGRESS, TicketStatus.CLOSED],
  [TicketStatus.CLOSED]: [TicketStatus.OPEN, TicketStatus.IN_PROGRESS],
};

export interface WorkflowTicket {
  status: TicketStatus;
  assigned: boolean;
}

/** Null when the move is allowed, else why not (for a BAD_USER_INPUT message). */
export function transitionProblem(ticket: WorkflowTicket, to: TicketStatus): string | null {
  if (ticket.status === to) return null;
  if (!ALLOWED[ticket.status].includes(to)) return `A ${ticket.status} ticket cannot become ${to}.`;
  if (to === TicketStatus.IN_PROGRESS && !ticket.assigned) return 'Assign the ticket before setting it IN_PROGRESS.';
  return null;
}

export const isClosedStatus = (status: TicketStatus) => status === TicketStatus.RESOLVED || status === TicketStatus.CLOSED;

/** Where work resumes: with its agent if it has one, else back in the queue. */
export const resumeStatus = (ticket: WorkflowTicket) => (ticket.assigned ? TicketStatus.IN_PROGRESS : TicketStatus.OPEN);

/** The status after the ticket's customer writes: a resolved or closed ticket reopens; a waiting one resumes. */
export function statusAfterCustomerMessage(ticket: WorkflowTicket): TicketStatus {
  if (isClosedStatus(ticket.status) || ticket.status === TicketStatus.WAITING_ON_CUSTOMER) return resumeStatus(ticket);
  return ticket.status;
}

/** The status after a public agent reply: the ball is in the customer's court (unless it is already done). */
export function statusAfterAgentReply(ticket: WorkflowTicket): TicketStatus {
  if (ticket.status === TicketStatus.OPEN || ticket.status === TicketStatus.IN_PROGRESS) return TicketStatus.WAITING_ON_CUSTOMER;
  return ticket.status;
}

/** The status after assignment changes: assigning starts work on an OPEN ticket; unassigning returns IN_PROGRESS to the queue. */
export function statusAfterAssignment(ticket: WorkflowTicket, assigned: boolean): TicketStatus {
  if (assigned && ticket.status === TicketStatus.OPEN) return TicketStatus.IN_PROGRESS;
  if (!assigned && ticket.status === TicketStatus.IN_PROGRESS) return TicketStatus.OPEN;
  return ticket.status;
}
