/**
 * Who gets a waiting ticket, as pure functions (the unit tests pin them down as a table).
 *
 * Candidates: active agents whose status is AVAILABLE, of the ticket's department (any department
 * when the ticket has none), with fewer active tickets than their `maxConcurrentTickets`.
 * Order, best first:
 *   1. skill match: how many of the ticket's labels (its category and tags) are among the agent's skills;
 *   2. language: the agent speaks the ticket's language (only when the language is known);
 *   3. fewest active tickets;
 *   4. longest since their last assignment (never assigned counts as longest);
 *   5. agent id, so the order is total and the same on every instance.
 */

export interface RoutingTicket {
  department: string | null;
  category: string | null;
  tags: readonly string[];
  /** The customer's language when something supplies it; null breaks no ties. */
  language: string | null;
}

export interface RoutingCandidate {
  agentId: string;
  department: string | null;
  status: string;
  active: boolean;
  skills: readonly string[];
  languages: readonly string[];
  activeTicketCount: number;
  maxConcurrentTickets: number;
  lastAssignedAt: Date | null;
}

export interface RankedCandidate extends RoutingCandidate {
  /** The ticket's labels this agent has as skills, in the ticket's order. */
  matchedSkills: string[];
  languageMatch: boolean;
}

const normalize = (label: string) => label.trim().toLowerCase();

/** The labels skills are matched against: the category, then the tags; lower-cased, once each. */
export function ticketLabels(ticket: Pick<RoutingTicket, 'category' | 'tags'>): string[] {
  const labels = [ticket.category ?? '', ...ticket.tags].map(normalize).filter(Boolean);
  return [...new Set(labels)];
}

/** Whether `candidate` may take `ticket` at all (before ranking). */
export function isEligible(ticket: Pick<RoutingTicket, 'department'>, candidate: RoutingCandidate): boolean {
  if (!candidate.active || candidate.status !== 'AVAILABLE') return false;
  if (candidate.activeTicketCount >= candidate.maxConcurrentTickets) return false;
  return ticket.department == null || candidate.department === ticket.department;
}

/** The eligible candidates, best first. */
export function rankCandidates(ticket: RoutingTicket, candidates: readonly RoutingCandidate[]): RankedCandidate[] {
  const labels = ticketLabels(ticket);
  const language = ticket.language ? normalize(ticket.language) : null;
  const ranked = candidates
    .filter((candidate) => isEligible(ticket, candidate))
    .map((candidate) => {
      const skills = new Set(candidate.skills.map(normalize));
      return {
        ...candidate,
        matchedSkills: labels.filter((label) => skills.has(label)),
        languageMatch: language != null && candidate.languages.some((spoken) => normalize(spoken) === language),
      };
    });
  return ranked.sort(compareCandidates);
}

function compareCandidates(a: RankedCandidate, b: RankedCandidate): number {
  return (
    b.matchedSkills.length - a.matchedSkills.length ||
    Number(b.languageMatch) - Number(a.languageMatch) ||
    a.activeTicketCount - b.activeTicketCount ||
    (a.lastAssignedAt?.getTime() ?? -Infinity) - (b.lastAssignedAt?.getTime() ?? -Infinity) ||
    (a.agentId < b.agentId ? -1 : a.agentId > b.agentId ? 1 : 0)
  );
}

/**
 * The ASSIGNED event's note: which rule decided and the agent's load after the assignment,
 * e.g. "auto-assigned: skill refunds, 1 of 3 active".
 */
export function assignmentNote(candidate: RankedCandidate, language: string | null, activeAfter: number): string {
  const reasons: string[] = [];
  if (candidate.matchedSkills.length) {
    reasons.push(`${candidate.matchedSkills.length > 1 ? 'skills' : 'skill'} ${candidate.matchedSkills.join(', ')}`);
  }
  if (candidate.languageMatch && language) reasons.push(`language ${normalize(language)}`);
  if (!reasons.length) reasons.push('least busy');
  return `auto-assigned: ${reasons.join(', ')}, ${activeAfter} of ${candidate.maxConcurrentTickets} active`;
}

/**
 * Queue order, the same for routing and for `Ticket.queuePosition`: most urgent first (URGENT,
 * HIGH, NORMAL, LOW), then the one waiting longest (oldest `queuedAt`), then the id.
 */
export interface QueuedTicket {
  id: string;
  priorityRank: number;
  queuedAt: Date;
}

export function compareQueued(a: QueuedTicket, b: QueuedTicket): number {
  return b.priorityRank - a.priorityRank || a.queuedAt.getTime() - b.queuedAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}
