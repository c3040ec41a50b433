import { AssignTicketDocument, CreateTicketDocument, OnPresenceDocument, SendMessageDocument, UpdateTicketStatusDocument } from '../../__generated__/graphql';
import { SEND_NOTIFICATION_MAIL } from '../../../src/modules/channels/email/notification-mail';
import { createCast, createCustomer, type Actor, type Cast } from '../../support/factories';
import { startTestServer, type TestServer } from '../../support/server';
import { connectWs, disposeWsClients, waitFor } from '../../support/ws-client';
import { FAST_JOBS, jobsOf, pendingJobs, SmtpStandIn, type ReceivedMail } from './helpers';

let smtp: SmtpStandIn;
let server: TestServer;
let cast: Cast;

const MAIL_ENV = () => ({ ...FAST_JOBS, SMTP_URL: smtp.url, MAIL_FROM: 'Parley Support <support@parley.test>', WEB_URL: 'https://help.example.test' });

beforeAll(async () => {
  smtp = await new SmtpStandIn().start();
  server = await startTestServer({ redis: true, env: MAIL_ENV() });
  cast = await createCast(server);
});
afterEach(() => disposeWsClients());
afterAll(async () => {
  await server.stop();
  await smtp.stop();
});

const emailOf = (actor: Actor) => actor.user.email!;

async function openTicket(actor: Actor, subject: string) {
  const { createTicket } = await actor.client.data(CreateTicketDocument, { input: { subject, description: `${subject}: details` } });
  return createTicket.ticket;
}

/** Waits until `address` has a mail whose subject contains `text`. */
function mailTo(address: string, text: string): Promise<ReceivedMail> {
  return waitFor(() => smtp.to(address).find((mail) => mail.subject.includes(text)), 5_000, `a mail to ${address} about ${text}`);
}

async function mailJobsSettled(on: TestServer = server): Promise<void> {
  await waitFor(async () => (await pendingJobs(on, SEND_NOTIFICATION_MAIL)) === 0);
}

describe('e-mail notifications', () => {
  it('mails staff about a new ticket, in HTML and plain text, with the customer’s words escaped', async () => {
    const ticket = await openTicket(cast.customerA, 'Printer <b>on fire</b> & smoking');
    const mail = await mailTo(emailOf(cast.agent), ticket.number);
    expect(mail.subject).toBe(`[${ticket.number}] New ticket: Printer <b>on fire</b> & smoking`);
    expect(mail.headers.from).toBe('Parley Support <support@parley.test>');
    expect(mail.headers['message-id']).toMatch(/^<ntf_[0-9a-z]+@parley\.test>$/);
    expect(mail.text).toContain('Alice Customer opened a new ticket.');
    expect(mail.text).toContain(`https://help.example.test/tickets/${ticket.number}`);
    expect(mail.html).toContain('Printer &#60;b&#62;on fire&#60;/b&#62; &#38; smoking');
    expect(mail.html).not.toContain('<b>on fire</b>');
    await mailTo(emailOf(cast.supervisor), ticket.number);
    await mailJobsSettled();
    expect(smtp.to(emailOf(cast.customerA)).filter((m) => m.subject.includes(ticket.number))).toEqual([]);
  });

  it('mails the agent a ticket is assigned to', async () => {
    const ticket = await openTicket(cast.customerA, 'Assign me');
    await cast.admin.client.data(AssignTicketDocument, { input: { ticketId: ticket.id, agentId: cast.agent.agent!.id } });
    const mail = await mailTo(emailOf(cast.agent), `Assigned to you: Assign me`);
    expect(mail.text).toContain(`Ticket ${ticket.number} is now yours.`);
  });

  it('mails the customer when the status changes, and a resolved ticket has its own e-mail', async () => {
    const ticket = await openTicket(cast.customerA, 'Status please');
    // Assigning moves it to IN_PROGRESS.
    await cast.admin.client.data(AssignTicketDocument, { input: { ticketId: ticket.id, agentId: cast.agent.agent!.id } });
    const changed = await mailTo(emailOf(cast.customerA), `[${ticket.number}] Your ticket is being worked on`);
    expect(changed.html).toContain('is now being worked on');
    await cast.agent.client.data(UpdateTicketStatusDocument, { input: { ticketId: ticket.id, status: 'RESOLVED' } });
    const resolved = await mailTo(emailOf(cast.customerA), `[${ticket.number}] Your ticket was resolved`);
    expect(resolved.text).toContain('reply in the conversation and the ticket opens again');
  });

  it('mails the customer a reply when they are not connected, and not while they have the ticket open', async () => {
    const customer = await createCustomer(server, { name: 'Carla Connected' });
    const ticket = await openTicket(customer, 'Reply by mail');
    await cast.agent.client.data(SendMessageDocument, { input: { ticketId: ticket.id, body: 'First answer, while you are away' } });
    const away = await mailTo(emailOf(customer), `New reply: Reply by mail`);
    expect(away.text).toContain('> First answer, while you are away');

    const socket = connectWs(server.wsUrl, { token: customer.token });
    const presence = socket.subscribe(OnPresenceDocument, { ticketId: ticket.id });
    await presence.waitForMessage((event) => event.presence.viewers.some((viewer) => viewer.id === customer.user.id));
    await mailJobsSettled();
    const queued = (await jobsOf(server, SEND_NOTIFICATION_MAIL)).length;
    await cast.agent.client.data(SendMessageDocument, { input: { ticketId: ticket.id, body: 'Second answer, seen live' } });
    await mailJobsSettled();
    // The notification was stored and its mail job ran; it decided against an e-mail.
    expect((await jobsOf(server, SEND_NOTIFICATION_MAIL)).length).toBe(queued + 1);
    expect(smtp.to(emailOf(customer)).filter((mail) => mail.text.includes('Second answer'))).toEqual([]);
    expect((await jobsOf(server, SEND_NOTIFICATION_MAIL)).every((job) => job.failed_at === null)).toBe(true);
  });

  it('retries while the SMTP server says "try later", and delivers once', async () => {
    const customer = await createCustomer(server, { name: 'Patient Pat' });
    const ticket = await openTicket(customer, 'Retry me');
    await mailJobsSettled();
    smtp.refuse(2);
    await cast.agent.client.data(UpdateTicketStatusDocument, { input: { ticketId: ticket.id, status: 'WAITING_ON_CUSTOMER' } });
    await mailTo(emailOf(customer), `[${ticket.number}] Your ticket is waiting for your reply`);
    await mailJobsSettled();
    expect(smtp.to(emailOf(customer))).toHaveLength(1);
    const job = (await jobsOf(server, SEND_NOTIFICATION_MAIL)).at(-1)!;
    expect(job).toMatchObject({ attempts: 3, failed_at: null });
  });

  it('sends each e-mail once with two instances working on one database', async () => {
    const second = await startTestServer({ databaseUrl: server.databaseUrl, env: MAIL_ENV() });
    try {
      const tickets = await Promise.all(Array.from({ length: 4 }, (_, n) => openTicket(cast.customerB, `Twice? ${n}`)));
      await mailJobsSettled();
      const mails = smtp.to(emailOf(cast.agent)).filter((mail) => tickets.some((ticket) => mail.subject.includes(ticket.number)));
      expect(mails).toHaveLength(4);
      expect(new Set(mails.map((mail) => mail.headers['message-id'])).size).toBe(4);
    } finally {
      await second.stop();
    }
  });
});

describe('without SMTP_URL', () => {
  it('queues and sends nothing', async () => {
    const quiet = await startTestServer({ env: FAST_JOBS });
    try {
      const customer = await createCustomer(quiet);
      await quiet.client(customer.token).data(CreateTicketDocument, { input: { subject: 'Silence', description: 'No mail server here.' } });
      expect(await jobsOf(quiet, SEND_NOTIFICATION_MAIL)).toEqual([]);
    } finally {
      await quiet.stop();
    }
  });
});
