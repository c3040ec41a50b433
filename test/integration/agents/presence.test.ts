import { AgentDocument, OnAgentStatusChangedDocument, SetAgentStatusDocument } from '../../__generated__/graphql';
import { presenceStore, presenceTimings } from '../../../src/modules/agents/agent-presence';
import { agentPresenceOf } from '../../../src/modules/agents/agent-presence.registry';
import { createAgentActor, createCustomer, createSupervisor, type Actor } from '../../support/factories';
import { startTestServer, type TestServer } from '../../support/server';
import { connectWs, disposeWsClients, waitFor } from '../../support/ws-client';
import { assignedNotes, openTicket, routed, uniqueDepartment } from '../routing/helpers';

/**
 * Presence with a one-second grace period, on two instances sharing Redis and the database: the
 * instances agree on who is connected, and only one of them takes an agent OFFLINE.
 */
const GRACE = { PRESENCE_GRACE_SECONDS: '1' };

let a: TestServer;
let b: TestServer;
let lead: Actor;

beforeAll(async () => {
  a = await startTestServer({ redis: true, env: GRACE });
  b = await startTestServer({ redis: true, env: GRACE, databaseUrl: a.databaseUrl });
  lead = await createSupervisor(a);
});
afterEach(() => disposeWsClients());
afterAll(async () => {
  await b.stop();
  await a.stop();
});

async function agentState(agent: Actor) {
  const { agent: state } = await lead.client.data(AgentDocument, { id: agent.agent!.id });
  return state!;
}

const statusIs = (agent: Actor, status: string) => async () => (await agentState(agent)).status === status;

/** Resolves once the agent's lastSeenAt has moved past `after` (a heartbeat or a connection was recorded). */
const seenAfter = (agent: Actor, after: number) => async () => {
  const seen = (await agentState(agent)).lastSeenAt;
  return seen != null && new Date(seen).getTime() > after;
};

it('takes an AVAILABLE agent without a connection OFFLINE after the grace period, handing their tickets back', async () => {
  const department = uniqueDepartment('presence');
  const agent = await createAgentActor(a, { department, name: 'Gone Gina' });
  const customer = await createCustomer(a);
  const watch = connectWs(b.wsUrl, { token: lead.token }).subscribe(OnAgentStatusChangedDocument);
  await waitFor(() => b.app.services.realtime.stats().streams === 1);

  await agent.client.data(SetAgentStatusDocument, { status: 'AVAILABLE' });
  const ticketId = await openTicket(customer, { department });
  expect((await routed(lead, ticketId)).assignee?.id).toBe(agent.agent!.id);

  await waitFor(statusIs(agent, 'OFFLINE'), 5000, 'presence to take the agent OFFLINE');
  const ticket = await routed(lead, ticketId);
  expect(ticket).toMatchObject({ status: 'OPEN', assignee: null, queuePosition: 1 });
  // Two instances sweep; exactly one hand-back happened.
  expect(assignedNotes(ticket)).toEqual(['auto-assigned: least busy, 1 of 5 active', 'handed back: Gone Gina had no connection for 1 s']);
  expect(ticket.messages.nodes.at(-1)).toMatchObject({ authorKind: 'SYSTEM', body: expect.stringContaining('Gone Gina is no longer available') });
  // Staff watching on the other instance saw both changes.
  const seen = await watch.waitForCount(2);
  expect(seen.map((event) => event.agentStatusChanged)).toEqual([
    expect.objectContaining({ id: agent.agent!.id, status: 'AVAILABLE' }),
    expect.objectContaining({ id: agent.agent!.id, status: 'OFFLINE' }),
  ]);
});

it('keeps a connected agent AVAILABLE past the grace period, wherever they are connected', async () => {
  const agent = await createAgentActor(a);
  const socket = connectWs(b.wsUrl, { token: agent.token });
  await socket.connected;
  const { setAgentStatus } = await agent.client.data(SetAgentStatusDocument, { status: 'AVAILABLE' });
  const since = new Date(setAgentStatus.lastSeenAt!).getTime();
  // lastSeenAt keeps moving while connected (once per grace period): well past the grace period now.
  await waitFor(seenAfter(agent, since + 1500), 6000, 'heartbeats to record the agent');
  expect((await agentState(agent)).status).toBe('AVAILABLE');
});

it('brings an agent presence took OFFLINE back when they reconnect, on any instance', async () => {
  const agent = await createAgentActor(a);
  const first = connectWs(a.wsUrl, { token: agent.token });
  await first.connected;
  await agent.client.data(SetAgentStatusDocument, { status: 'AVAILABLE' });
  await first.dispose();
  await waitFor(statusIs(agent, 'OFFLINE'), 5000, 'presence to take the agent OFFLINE');

  const again = connectWs(b.wsUrl, { token: agent.token });
  await again.connected;
  await waitFor(statusIs(agent, 'AVAILABLE'), 5000, 'the agent to be AVAILABLE again');
});

it('leaves an agent who chose OFFLINE offline when they connect', async () => {
  const agent = await createAgentActor(a);
  const { setAgentStatus } = await agent.client.data(SetAgentStatusDocument, { status: 'OFFLINE' });
  const socket = connectWs(a.wsUrl, { token: agent.token });
  await socket.connected;
  await waitFor(seenAfter(agent, new Date(setAgentStatus.lastSeenAt!).getTime()), 5000, 'the connection to be recorded');
  expect((await agentState(agent)).status).toBe('OFFLINE');
});

it('follows an agent moving between instances, and only their last socket closing counts', async () => {
  const agent = await createAgentActor(a);
  const onA = connectWs(a.wsUrl, { token: agent.token });
  await onA.connected;
  await agent.client.data(SetAgentStatusDocument, { status: 'AVAILABLE' });
  const onB = connectWs(b.wsUrl, { token: agent.token });
  await onB.connected;
  await onA.dispose();
  const closedAt = Date.now();
  await waitFor(seenAfter(agent, closedAt + 1500), 6000, 'heartbeats from the other instance');
  expect((await agentState(agent)).status).toBe('AVAILABLE');

  await onB.dispose();
  await waitFor(statusIs(agent, 'OFFLINE'), 5000, 'presence to take the agent OFFLINE');
});

it('takes an agent OFFLINE once the instance that held their socket stops vouching for it (a crash)', async () => {
  const agent = await createAgentActor(a);
  await agent.client.data(SetAgentStatusDocument, { status: 'AVAILABLE' });
  // The test plays an instance that holds the agent's socket: it vouches and plans the check on
  // every heartbeat, as AgentPresence does, for twice the grace period; then it crashes.
  const timings = presenceTimings(1);
  const crashed = presenceStore(a.app.services, 'crashed-instance', timings);
  const beat = async () => {
    const now = Date.now();
    await crashed.vouch([agent.user.id], now);
    await crashed.schedule([{ userId: agent.user.id, at: now + timings.ttlMs + timings.graceMs }]);
  };
  await beat();
  const heartbeat = setInterval(() => void beat(), timings.heartbeatMs);
  const until = Date.now() + 2 * timings.graceMs;
  try {
    await waitFor(() => Date.now() > until, 5000, 'two grace periods of heartbeats');
  } finally {
    clearInterval(heartbeat);
  }
  expect((await agentState(agent)).status).toBe('AVAILABLE');
  const crashedAt = Date.now();
  await waitFor(statusIs(agent, 'OFFLINE'), 8000, 'presence to notice the crash');
  // Not before the vouch expired.
  expect(Date.now() - crashedAt).toBeGreaterThanOrEqual(timings.ttlMs - timings.heartbeatMs);
});

it('writes lastSeenAt when an agent’s first socket opens and their last one closes, not for the sockets in between', async () => {
  // The default grace period: while connected, lastSeenAt is written at most once a minute.
  const server = await startTestServer({ redis: true });
  try {
    const presence = agentPresenceOf(server.app.services)!;
    const agent = await createAgentActor(server);
    const lastSeenWrites = async (work: () => Promise<unknown>) =>
      (await server.countQueries(async () => {
        await work();
        await presence.settled();
      })).statements.filter((sql) => sql.startsWith('update agents set last_seen_at')).length;

    const first = connectWs(server.wsUrl, { token: agent.token });
    expect(await lastSeenWrites(() => first.connected)).toBe(1);
    expect(
      await lastSeenWrites(async () => {
        for (let i = 0; i < 10; i++) {
          const more = connectWs(server.wsUrl, { token: agent.token });
          await more.connected;
          await more.dispose();
        }
        await waitFor(() => server.app.services.realtime.stats().sockets === 1, 5000, 'the other sockets to close');
      }),
    ).toBe(0);
    expect(
      await lastSeenWrites(async () => {
        await first.dispose();
        await waitFor(() => server.app.services.realtime.stats().sockets === 0, 5000, 'the last socket to close');
      }),
    ).toBe(1);
  } finally {
    await disposeWsClients();
    await server.stop();
  }
});
