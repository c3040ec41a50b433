import { wrap } from '@mikro-orm/core';
import { AssignTicketDocument, CreateTicketDocument, SendMessageDocument } from '../../__generated__/graphql';
import { Ticket } from '../../../src/modules/tickets/ticket.entity';
import { findReadableTicket, ticketTransaction } from '../../../src/modules/tickets/ticket.service';
import { createRequestContext } from '../../../src/server/context';
import type { Viewer } from '../../../src/shared/auth/viewer';
import { createCast, type Actor, type Cast } from '../../support/factories';
import { startTestServer, type TestServer } from '../../support/server';

let server: TestServer;
let cast: Cast;

beforeAll(async () => {
  server = await startTestServer();
  cast = await createCast(server);
});
afterAll(() => server.stop());

const viewerOf = (actor: Actor): Viewer => ({ userId: actor.user.id, role: actor.user.role as Viewer['role'], sessionId: actor.sessionId, expiresAt: Math.floor(Date.now() / 1000) + 600 });

/** A ticket with every kind of column filled: tags (array), SLA dates, counters, an assignee. */
async function busyTicket(): Promise<string> {
  const { createTicket } = await cast.customerA.client.data(CreateTicketDocument, {
    input: { subject: 'Locked', description: 'Every column', tags: ['payout', 'urgent'], category: 'payments', priority: 'HIGH', language: 'pt-br' },
  });
  const ticketId = createTicket.ticket.id;
  await cast.agent.client.data(AssignTicketDocument, { input: { ticketId, agentId: cast.agent.agent!.id } });
  await cast.agent.client.data(SendMessageDocument, { input: { ticketId, body: 'On it' } });
  await cast.agent.client.data(SendMessageDocument, { input: { ticketId, body: 'Ledger checked', internal: true } });
  return ticketId;
}

describe('a ticket read for update', () => {
  it('is the entity MikroORM would load, managed, and writes what is changed on it', async () => {
    const ticketId = await busyTicket();
    const app = server.app.services;
    const expected = wrap(await app.orm.em.fork().findOneOrFail(Ticket, { id: ticketId })).toObject();

    await ticketTransaction(createRequestContext(app, viewerOf(cast.agent), 'test'), async (work) => {
      const locked = await findReadableTicket(createRequestContext(app, viewerOf(cast.agent), 'test'), work.em, ticketId, true);
      expect(wrap(locked).toObject()).toEqual(expected);
      expect(locked.tags).toEqual(['payout', 'urgent']);
      expect(locked.createdAt).toBeInstanceOf(Date);
      expect(work.em.getUnitOfWork().getById(Ticket.name, ticketId)).toBe(locked);
      locked.subject = 'Locked and renamed';
    });

    const after = await app.orm.em.fork().findOneOrFail(Ticket, { id: ticketId });
    expect(after.subject).toBe('Locked and renamed');
    // Nothing else moved: the snapshot taken when it was mapped matched the row.
    expect({ ...wrap(after).toObject(), subject: expected.subject, updatedAt: expected.updatedAt }).toEqual(expected);
  });

  it('answers NOT_FOUND for a ticket that does not exist or that the viewer may not read', async () => {
    const ticketId = await busyTicket();
    const app = server.app.services;
    const ctx = createRequestContext(app, viewerOf(cast.customerB), 'test');
    await expect(ticketTransaction(ctx, (work) => findReadableTicket(ctx, work.em, ticketId, true))).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(ticketTransaction(ctx, (work) => findReadableTicket(ctx, work.em, 'tkt_00000000000000000000000000', true))).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });
});
