import { ConversationWithAttachmentsDocument, CreateTicketDocument, SendMessageDocument } from '../../__generated__/graphql';
import { ACKNOWLEDGE_TICKET } from '../../../src/modules/channels/acknowledgement/acknowledgement.job';
import { createCast, createCustomer, type Actor, type Cast } from '../../support/factories';
import { startTestServer, type TestServer } from '../../support/server';
import { waitFor } from '../../support/ws-client';
import { draftArticle, publishedArticle } from '../articles/kb-helpers';
import { FAST_JOBS, jobsOf, pendingJobs } from './helpers';

const DELAY_MS = 300;
const ACK_ENV = { ...FAST_JOBS, AUTO_ACK_DELAY_MS: String(DELAY_MS), WEB_URL: 'https://help.example.test' };

let server: TestServer;
let cast: Cast;

beforeAll(async () => {
  server = await startTestServer({ env: ACK_ENV });
  cast = await createCast(server);
  for (const title of ['Reset your password', 'Password reset e-mail never arrives', 'Choosing a strong password', 'Two-factor login and password resets']) {
    await publishedArticle(cast.agent.client, { title, body: `How the password reset works: ${title}.` });
  }
  await draftArticle(cast.agent.client, { title: 'Password reset internals (draft)', body: 'Not for customers: password reset.' });
  await publishedArticle(cast.agent.client, { title: 'Shipping to Norway', body: 'Parcels and customs.' });
});
afterAll(() => server.stop());

async function openTicket(actor: Actor, subject: string, description = subject) {
  const { createTicket } = await actor.client.data(CreateTicketDocument, { input: { subject, description } });
  return createTicket.ticket;
}

async function systemMessages(actor: Actor, ticketId: string) {
  const { ticket } = await actor.client.data(ConversationWithAttachmentsDocument, { id: ticketId });
  return ticket!.messages.nodes.filter((message) => message.authorKind === 'SYSTEM');
}

describe('automatic acknowledgement', () => {
  it('acknowledges a customer’s new ticket after the delay, naming it and up to three published articles', async () => {
    const openedAt = Date.now();
    const ticket = await openTicket(cast.customerA, 'Password reset e-mail does not arrive', 'I asked for a password reset twice.');
    const [ack] = await waitFor(async () => {
      const found = await systemMessages(cast.customerA, ticket.id);
      return found.length ? found : null;
    });
    expect(Date.now() - openedAt).toBeGreaterThanOrEqual(DELAY_MS - 20);
    expect(ack).toMatchObject({ kind: 'SYSTEM', internal: false, author: null, seq: 1 });
    expect(ack.body).toContain(ticket.number);
    const suggested = ack.body.split('\n').filter((line) => line.startsWith('- '));
    expect(suggested).toHaveLength(3);
    expect(ack.body).not.toContain('draft');
    expect(ack.body).not.toContain('Norway');
    expect(suggested.every((line) => line.includes('https://help.example.test/help/'))).toBe(true);
  });

  it('still acknowledges a ticket no article matches, with its number alone', async () => {
    const ticket = await openTicket(cast.customerA, 'Zebra quokka xylophone', 'Qwertyuiop asdfgh.');
    const [ack] = await waitFor(async () => {
      const found = await systemMessages(cast.customerA, ticket.id);
      return found.length ? found : null;
    });
    expect(ack.body).toContain(ticket.number);
    expect(ack.body).not.toContain('articles');
  });

  it('does not acknowledge a ticket that staff opened for a customer', async () => {
    const { createTicket } = await cast.agent.client.data(CreateTicketDocument, {
      input: { subject: 'Phone call: password reset', description: 'Called in.', customerId: cast.customerA.user.id },
    });
    const jobs = await jobsOf(server, ACKNOWLEDGE_TICKET);
    expect(jobs.some((job) => job.payload.ticketId === createTicket.ticket.id)).toBe(false);
  });

  it('skips the acknowledgement when an agent answered first', async () => {
    const ticket = await openTicket(cast.customerB, 'Password question');
    await cast.agent.client.data(SendMessageDocument, { input: { ticketId: ticket.id, body: 'Hi! Looking into it.' } });
    await waitFor(async () => (await pendingJobs(server, ACKNOWLEDGE_TICKET)) === 0);
    expect(await systemMessages(cast.customerB, ticket.id)).toEqual([]);
  });
});

describe('acknowledgement scheduling', () => {
  it('is off with AUTO_ACK_DELAY_MS=0: nothing is scheduled', async () => {
    const off = await startTestServer({ env: { ...FAST_JOBS, AUTO_ACK_DELAY_MS: '0' } });
    try {
      const customer = await createCustomer(off);
      await off.client(customer.token).data(CreateTicketDocument, { input: { subject: 'Password reset', description: 'Help' } });
      expect(await jobsOf(off, ACKNOWLEDGE_TICKET)).toEqual([]);
    } finally {
      await off.stop();
    }
  });

  it('happens exactly once with two instances working on one database', async () => {
    const second = await startTestServer({ databaseUrl: server.databaseUrl, env: ACK_ENV });
    try {
      const tickets = await Promise.all(Array.from({ length: 5 }, (_, n) => openTicket(cast.customerA, `Password reset ${n}`)));
      await waitFor(async () => (await pendingJobs(server, ACKNOWLEDGE_TICKET)) === 0);
      for (const ticket of tickets) expect(await systemMessages(cast.customerA, ticket.id)).toHaveLength(1);
    } finally {
      await second.stop();
    }
  });

  it('is durable: an acknowledgement scheduled by an instance that stopped is written by another', async () => {
    // An instance that never runs jobs itself, gone right after the ticket is opened.
    const first = await startTestServer({ databaseUrl: server.databaseUrl, env: { ...ACK_ENV, JOBS_WORKER: 'false' } });
    const { createTicket } = await first.client(cast.customerB.token).data(CreateTicketDocument, { input: { subject: 'Password reset after restart', description: 'x' } });
    await first.stop();
    // The schedule lives in PostgreSQL, not in the stopped process: the remaining instance writes it.
    const [ack] = await waitFor(async () => {
      const found = await systemMessages(cast.customerB, createTicket.ticket.id);
      return found.length ? found : null;
    });
    expect(ack.body).toContain(createTicket.ticket.number);
  });
});
