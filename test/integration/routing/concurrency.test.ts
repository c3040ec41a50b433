import { QueueDocument, UpdateTicketStatusDocument } from '../../__generated__/graphql';
import { createCustomer, createSupervisor, type Actor } from '../../support/factories';
import { startTestServer, type TestServer } from '../../support/server';
import { waitFor } from '../../support/ws-client';
import { on } from '../realtime/helpers';
import { availableAgent, openTicket, uniqueDepartment } from './helpers';

/**
 * Two instances on one database: tickets created at the same moment never push an agent over
 * capacity, and no ticket is assigned twice, including when capacity frees up concurrently.
 */
let a: TestServer;
let b: TestServer;
let lead: Actor;

beforeAll(async () => {
  const env = { PRESENCE_GRACE_SECONDS: '3600' };
  a = await startTestServer({ redis: true, env });
  b = await startTestServer({ redis: true, env, databaseUrl: a.databaseUrl });
  lead = await createSupervisor(a);
});
afterAll(async () => {
  await b.stop();
  await a.stop();
});

async function sql<T>(query: string, params: unknown[] = []): Promise<T[]> {
  return a.app.services.orm.em.fork().getConnection().execute<T[]>(query, params);
}

/** Active tickets per agent of the department, and every ticket's count of assignments to someone. */
async function invariants(department: string) {
  const load = await sql<{ id: string; active: number; max: number }>(
    `select a.id, a.max_concurrent_tickets as max,
            (select count(*)::int from tickets t where t.assignee_id = a.id and t.status in ('OPEN', 'IN_PROGRESS', 'WAITING_ON_CUSTOMER')) as active
       from agents a where a.department = ?`,
    [department],
  );
  const assignments = await sql<{ id: string; assigned: number; assignee_id: string | null; status: string }>(
    `select t.id, t.assignee_id, t.status,
            (select count(*)::int from ticket_events e where e.ticket_id = t.id and e.kind = 'ASSIGNED' and e.data->>'agentId' is not null) as assigned
       from tickets t where t.department = ?`,
    [department],
  );
  return { load, assignments };
}

it('never exceeds capacity nor assigns a ticket twice when tickets arrive and leave at the same moment', async () => {
  const department = uniqueDepartment('rush');
  await Promise.all([0, 1, 2].map(() => availableAgent(a, { department, maxConcurrentTickets: 2 })));
  const customers = await Promise.all(Array.from({ length: 20 }, () => createCustomer(a)));

  const ids = await Promise.all(customers.map((customer, i) => openTicket(i % 2 ? on(b, customer) : customer, { department })));

  let { load, assignments } = await invariants(department);
  expect(load.map((agent) => agent.active)).toEqual([2, 2, 2]);
  expect(assignments.filter((ticket) => ticket.assignee_id)).toHaveLength(6);
  expect(Math.max(...assignments.map((ticket) => ticket.assigned))).toBe(1);
  const { tickets } = await lead.client.data(QueueDocument, { first: 100 });
  const positions = tickets.nodes.filter((ticket) => ids.includes(ticket.id)).map((ticket) => ticket.queuePosition);
  expect(positions.sort((x, y) => x! - y!)).toEqual(Array.from({ length: 14 }, (_, i) => i + 1));

  // Every assigned ticket is resolved at once, half through each instance: six slots free up together.
  const assigned = assignments.filter((ticket) => ticket.assignee_id).map((ticket) => ticket.id);
  await Promise.all(assigned.map((ticketId, i) => (i % 2 ? on(b, lead) : lead).client.data(UpdateTicketStatusDocument, { input: { ticketId, status: 'RESOLVED' } })));
  // Routing may have skipped what a concurrent transaction held; its retry settles within moments.
  await waitFor(async () => (await invariants(department)).load.every((agent) => agent.active === 2), 5000, 'every slot to be filled again');

  ({ load, assignments } = await invariants(department));
  expect(load.every((agent) => agent.active <= agent.max)).toBe(true);
  expect(Math.max(...assignments.map((ticket) => ticket.assigned))).toBe(1);
  expect(assignments.filter((ticket) => ticket.assignee_id && ticket.status !== 'RESOLVED')).toHaveLength(6);
});
