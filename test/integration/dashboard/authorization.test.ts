import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import {
  AgentPerformanceDocument,
  CreateTicketDocument,
  DashboardStatsDocument,
  LiveChartDocument,
  OnDashboardUpdatedDocument,
  TicketSlaDocument,
} from '../../__generated__/graphql';
import { createAgentActor, createCast, type Actor as TestActor, type Cast } from '../../support/factories';
import { startTestServer, type TestServer } from '../../support/server';
import { connectWs, disposeWsClients, waitFor } from '../../support/ws-client';

/**
 * Who may see the dashboard: every new query and subscription × anonymous, customer, agent,
 * supervisor, admin. Statistics are staff information; another agent's own figures are for
 * supervisors and admins; a ticket's SLA clocks go with the ticket.
 */
let server: TestServer;
let cast: Cast;
let otherAgent: TestActor;
let ticketId: string;

beforeAll(async () => {
  server = await startTestServer({ redis: true, env: { SLA_CHECK_INTERVAL_SECONDS: '0', DASHBOARD_MAINTENANCE_SECONDS: '0' } });
  cast = await createCast(server);
  otherAgent = await createAgentActor(server, { name: 'Otto Agent', department: 'technical' });
  const { createTicket } = await cast.customerA.client.data(CreateTicketDocument, { input: { subject: 'Where is my invoice?', description: 'Details' } });
  ticketId = createTicket.ticket.id;
});
afterEach(async () => {
  await disposeWsClients();
  await waitFor(() => server.app.services.realtime.stats().streams === 0);
});
afterAll(() => server.stop());

type Actor = 'anonymous' | 'customerA' | 'customerB' | 'agent' | 'supervisor' | 'admin';
type Outcome = 'allowed' | 'NOT_FOUND' | 'FORBIDDEN' | 'UNAUTHENTICATED';
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDocument = TypedDocumentNode<any, any>;

const clientOf = (actor: Actor) => (actor === 'anonymous' ? server.anonymous : cast[actor].client);

async function query(actor: Actor, document: AnyDocument, variables: Record<string, unknown> = {}): Promise<Outcome> {
  const result = await clientOf(actor).request(document, variables);
  if (!result.errors?.length) return 'allowed';
  return String(result.errors[0].extensions?.code) as Outcome;
}

async function subscribe(actor: Actor, variables: Record<string, unknown> = {}): Promise<Outcome> {
  const token = actor === 'anonymous' ? undefined : cast[actor].token;
  const sub = connectWs(server.wsUrl, { token }).subscribe(OnDashboardUpdatedDocument, variables);
  const outcome = await waitFor<Outcome | undefined>(
    () => (sub.errors.length ? (String(sub.errors[0].extensions?.code) as Outcome) : sub.data.length ? 'allowed' : undefined),
    5000,
    'an error or the first figures',
  );
  if (outcome !== 'allowed') expect(server.app.services.realtime.stats().streams).toBe(0);
  return outcome;
}

const staffOnly: [Actor, Outcome][] = [
  ['anonymous', 'UNAUTHENTICATED'],
  ['customerA', 'FORBIDDEN'],
  ['agent', 'allowed'],
  ['supervisor', 'allowed'],
  ['admin', 'allowed'],
];

const supervisorsForOthers: [Actor, Outcome][] = [
  ['anonymous', 'UNAUTHENTICATED'],
  ['customerA', 'FORBIDDEN'],
  ['agent', 'FORBIDDEN'],
  ['supervisor', 'allowed'],
  ['admin', 'allowed'],
];

describe('dashboardStats', () => {
  it.each(staffOnly)('for the whole team, as %s: %s', async (actor, expected) => {
    expect(await query(actor, DashboardStatsDocument)).toBe(expected);
  });

  it.each(supervisorsForOthers)("filtered by another agent, as %s: %s", async (actor, expected) => {
    expect(await query(actor, DashboardStatsDocument, { filter: { agentId: otherAgent.agent!.id } })).toBe(expected);
  });

  it('filtered by the agent asking: allowed', async () => {
    expect(await query('agent', DashboardStatsDocument, { filter: { agentId: cast.agent.agent!.id } })).toBe('allowed');
  });
});

describe('liveChart', () => {
  it.each(staffOnly)('as %s: %s', async (actor, expected) => {
    expect(await query(actor, LiveChartDocument, { hours: 2 })).toBe(expected);
  });
});

describe('agentPerformance', () => {
  it.each(staffOnly)('without a filter, as %s: %s', async (actor, expected) => {
    expect(await query(actor, AgentPerformanceDocument)).toBe(expected);
  });

  it('without a filter, shows an agent their own line only, and supervisors and admins everyone’s', async () => {
    const own = (await cast.agent.client.data(AgentPerformanceDocument, {})).agentPerformance;
    expect(own.map((line) => line.agent.id)).toEqual([cast.agent.agent!.id]);
    for (const actor of [cast.supervisor, cast.admin]) {
      const team = (await actor.client.data(AgentPerformanceDocument, {})).agentPerformance;
      expect(team.map((line) => line.agent.id).sort()).toEqual(
        [cast.agent, cast.supervisor, cast.admin, otherAgent].map((staff) => staff.agent!.id).sort(),
      );
    }
  });

  it.each(supervisorsForOthers)('for another agent, as %s: %s', async (actor, expected) => {
    expect(await query(actor, AgentPerformanceDocument, { filter: { agentId: otherAgent.agent!.id } })).toBe(expected);
  });
});

describe('dashboardUpdated', () => {
  it.each(staffOnly)('as %s: %s', async (actor, expected) => {
    expect(await subscribe(actor)).toBe(expected);
  });

  it.each(supervisorsForOthers)('filtered by another agent, as %s: %s', async (actor, expected) => {
    expect(await subscribe(actor, { filter: { agentId: otherAgent.agent!.id } })).toBe(expected);
  });
});

describe("a ticket's SLA fields", () => {
  const onTicket: [Actor, Outcome][] = [
    ['anonymous', 'UNAUTHENTICATED'],
    ['customerA', 'allowed'],
    ['customerB', 'NOT_FOUND'],
    ['agent', 'allowed'],
    ['supervisor', 'allowed'],
    ['admin', 'allowed'],
  ];

  it.each(onTicket)('as %s: %s', async (actor, expected) => {
    expect(await query(actor, TicketSlaDocument, { id: ticketId })).toBe(expected);
  });
});
