import { CreateTicketDocument, SendMessageDocument } from '../../__generated__/graphql';
import { createCast, type Actor, type Cast } from '../../support/factories';
import { startTestServer, type TestServer } from '../../support/server';

let server: TestServer;
let cast: Cast;

beforeAll(async () => {
  server = await startTestServer();
  cast = await createCast(server);
});
afterAll(() => server.stop());

const send = (actor: Actor, ticketId: string, body: string) => actor.client.data(SendMessageDocument, { input: { ticketId, body } });

/** The statements of one send, without the session check and what the test's selection reads after the commit. */
async function writesOf(actor: Actor, ticketId: string, body: string): Promise<string[]> {
  const { statements } = await server.countQueries(() => send(actor, ticketId, body));
  const begin = statements.findIndex((sql) => /^begin/i.test(sql.trim()));
  const commit = statements.findIndex((sql) => /^commit/i.test(sql.trim()));
  return statements.slice(begin, commit + 1);
}

describe('sendMessage round trips', () => {
  it('writes the message, the read cursor and the ticket in one statement, history and notification with one flush', async () => {
    const { createTicket } = await cast.customerA.client.data(CreateTicketDocument, { input: { subject: 'Printer', description: 'It jams.' } });
    const ticketId = createTicket.ticket.id;
    await send(cast.agent, ticketId, 'Looking into it.');
    await send(cast.customerA, ticketId, 'Thanks');

    // An agent's reply that moves the status: lock, message + cursor + ticket, history line, notification.
    const moving = await writesOf(cast.agent, ticketId, 'Try turning it off and on.');
    expect(moving).toHaveLength(6);
    expect(moving.some((sql) => /^update "tickets"/.test(sql.trim()))).toBe(false);
    expect(moving.filter((sql) => /^select/i.test(sql.trim()))).toHaveLength(1);
    // The message's body is quoted from the change, never read back.
    expect(moving.some((sql) => /from "messages"/.test(sql))).toBe(false);

    // Another reply in the same status: no history line.
    expect(await writesOf(cast.agent, ticketId, 'Any luck?')).toHaveLength(5);
  });
});
