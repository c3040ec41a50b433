import { CreateTicketDocument, DeleteMessageDocument, EditMessageDocument, MarkTicketReadDocument, SendMessageDocument } from '../../__generated__/graphql';
import { MESSAGE_FIELDS_WITH_COLUMNS } from '../../../src/modules/messages/message.rows';
import { createCast, type Actor, type Cast } from '../../support/factories';
import { startTestServer, type TestServer } from '../../support/server';

let server: TestServer;
let cast: Cast;
let ticketId: string;

/** A selection for each field of Message; object fields need one of their own. */
const SELECTIONS: Record<string, string> = {
  author: 'author { id name }',
  ticket: 'ticket { id }',
  attachments: 'attachments { id }',
  readBy: 'readBy { user { id } readAt }',
};

let messageFields: string[];

beforeAll(async () => {
  server = await startTestServer();
  cast = await createCast(server);
  const { createTicket } = await cast.customerA.client.data(CreateTicketDocument, { input: { subject: 'Refund', description: 'Charged twice.' } });
  ticketId = createTicket.ticket.id;
  const send = (actor: Actor, body: string, internal = false) =>
    actor.client.data(SendMessageDocument, { input: { ticketId, body, internal, clientMessageId: `c-${body}` } }).then((r) => r.sendMessage.message.id);
  await send(cast.customerA, 'I was charged twice');
  const oops = await send(cast.customerA, 'My card is 4111 1111 1111 1111');
  await cast.customerA.client.data(DeleteMessageDocument, { id: oops });
  await send(cast.agent, 'Customer is a VIP', true);
  const reply = await send(cast.agent, 'Refund on its way');
  await cast.agent.client.data(EditMessageDocument, { input: { id: reply, body: 'Refund is on its way' } });
  await cast.customerA.client.data(MarkTicketReadDocument, { ticketId });

  const introspection = await cast.agent.client.request<{ __type: { fields: { name: string }[] } }, Record<string, never>>(
    '{ __type(name: "Message") { fields { name } } }',
  );
  messageFields = introspection.data!.__type.fields.map((field) => field.name);
});
afterAll(() => server.stop());

const selectionOf = (field: string) => SELECTIONS[field] ?? field;

type Nodes = Record<string, unknown>[];

const THROUGH = {
  nodes: (selection: string) => `nodes { seq ${selection} }`,
  edges: (selection: string) => `edges { node { seq ${selection} } }`,
  fragment: () => `nodes { ...Picked }`,
  inline: (selection: string) => `edges { ... on MessageEdge { node { seq ... on Message { ${selection} } } } }`,
};

/** The ticket's messages with `selection`, through `nodes`, `edges { node }`, a named or an inline fragment. */
async function messages(actor: Actor, selection: string, through: keyof typeof THROUGH = 'nodes'): Promise<Nodes> {
  const connection = THROUGH[through](selection);
  const fragment = through === 'fragment' ? `fragment Picked on Message { seq ${selection} }` : '';
  const result = await actor.client.request<{ ticket: { messages: { nodes?: Nodes; edges?: { node: Record<string, unknown> }[] } } }, { id: string }>(
    `query Page($id: ID!) { ticket(id: $id) { messages(first: 50) { ${connection} } } } ${fragment}`,
    { id: ticketId },
  );
  if (result.errors?.length) throw new Error(`${selection}: ${JSON.stringify(result.errors)}`);
  const page = result.data!.ticket.messages;
  return page.nodes ?? page.edges!.map((edge) => edge.node);
}

describe('message pages read the columns their query selects', () => {
  it('know the columns of every field of Message (one without would make its pages read whole rows)', () => {
    expect(messageFields.length).toBeGreaterThanOrEqual(15);
    expect(messageFields.filter((field) => !MESSAGE_FIELDS_WITH_COLUMNS.includes(field))).toEqual([]);
  });

  it('answer each field selected alone exactly as a page that selects them all', async () => {
    for (const actor of [cast.customerA, cast.agent, cast.admin]) {
      const everything = await messages(actor, messageFields.map(selectionOf).join(' '));
      const bySeq = new Map(everything.map((message) => [message.seq, message]));
      expect(everything.length).toBe(actor === cast.customerA ? 3 : 4);
      for (const field of messageFields) {
        for (const through of Object.keys(THROUGH) as (keyof typeof THROUGH)[]) {
          const alone = await messages(actor, selectionOf(field), through);
          expect(alone.map((message) => message.seq)).toEqual(everything.map((message) => message.seq));
          for (const message of alone) expect({ field, through, value: message[field] }).toEqual({ field, through, value: bySeq.get(message.seq)![field] });
        }
      }
    }
  });

  it('read what every occurrence of a merged field selects', async () => {
    const result = await cast.agent.client.request<{ ticket: { messages: { nodes: { body: string; kind: string; createdAt: string }[] } } }, { id: string }>(
      `query Merged($id: ID!) { ticket(id: $id) { messages(first: 50) { nodes { body } } ...More } }
       fragment More on Ticket { messages(first: 50) { nodes { kind createdAt } } }`,
      { id: ticketId },
    );
    expect(result.errors).toBeUndefined();
    const nodes = result.data!.ticket.messages.nodes;
    expect(nodes.map((message) => [message.body, message.kind])).toEqual([
      ['I was charged twice', 'TEXT'],
      ['', 'TEXT'],
      ['Customer is a VIP', 'TEXT'],
      ['Refund is on its way', 'TEXT'],
    ]);
    expect(nodes.every((message) => !Number.isNaN(Date.parse(message.createdAt)))).toBe(true);
  });

  it('keeps what body depends on: a deleted message is blank for others, whole for its author', async () => {
    const bodies = async (actor: Actor) => (await messages(actor, 'body')).map((message) => message.body);
    expect(await bodies(cast.agent)).toEqual(['I was charged twice', '', 'Customer is a VIP', 'Refund is on its way']);
    expect(await bodies(cast.customerA)).toEqual(['I was charged twice', 'My card is 4111 1111 1111 1111', 'Refund is on its way']);
  });

  it('select only those columns', async () => {
    const pageStatement = async (selection: string) => {
      const { statements } = await server.countQueries(() => messages(cast.agent, selection));
      const statement = statements.find((sql) => /from messages m/.test(sql));
      expect(statement).toBeDefined();
      return statement!;
    };
    const bodies = await pageStatement('body');
    expect(bodies).toMatch(/m\.body/);
    expect(bodies).toMatch(/m\.deleted_at/);
    for (const column of ['client_message_id', 'delivery_state', 'author_kind', 'edited_at', 'created_at']) expect(bodies).not.toContain(column);
    expect(bodies).not.toMatch(/m\.id\b/);
    const everything = await pageStatement(messageFields.map(selectionOf).join(' '));
    for (const column of ['client_message_id', 'delivery_state', 'author_kind', 'edited_at', 'created_at']) expect(everything).toContain(column);
  });
});
