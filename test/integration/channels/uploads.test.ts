import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse as parseDisposition } from 'content-disposition';
import {
  AttachmentNodeDocument,
  ConversationWithAttachmentsDocument,
  CreateTicketDocument,
  DeleteMessageDocument,
  SendMessageWithAttachmentsDocument,
} from '../../__generated__/graphql';
import type { EntityManager } from '@mikro-orm/postgresql';
import { enqueueJob } from '../../../src/infra/outbox/jobs';
import { downloadUrl } from '../../../src/modules/channels/attachments/download-link';
import { SWEEP_UPLOADS } from '../../../src/modules/channels/attachments/upload-sweep.job';
import { waitFor } from '../../support/ws-client';
import { createCast, createCustomer, type Actor, type Cast } from '../../support/factories';
import { startTestServer, type TestServer } from '../../support/server';
import { download, EXE, FAST_JOBS, HTML, JPEG, origin, PDF, PNG, SVG, TEXT, upload, uploaded } from './helpers';

const MAX_BYTES = 64 * 1024;

let server: TestServer;
let cast: Cast;
let uploadDir: string;

beforeAll(async () => {
  uploadDir = mkdtempSync(path.join(tmpdir(), 'parley-uploads-'));
  server = await startTestServer({ env: { ...FAST_JOBS, UPLOAD_DIR: uploadDir, UPLOAD_MAX_BYTES: String(MAX_BYTES) } });
  cast = await createCast(server);
});
afterAll(async () => {
  await server.stop();
  rmSync(uploadDir, { recursive: true, force: true });
});

async function openTicket(actor: Actor = cast.customerA): Promise<string> {
  const { createTicket } = await actor.client.data(CreateTicketDocument, { input: { subject: 'Screen goes blank', description: 'See the screenshot.' } });
  return createTicket.ticket.id;
}

function sendWith(actor: Actor, ticketId: string, attachmentIds: string[], extra: { internal?: boolean } = {}) {
  return actor.client.data(SendMessageWithAttachmentsDocument, { input: { ticketId, body: 'Here it is', attachmentIds, ...extra } }).then((r) => r.sendMessage.message);
}

async function attachmentRows(uploaderId: string): Promise<number> {
  const rows = await server.app.services.orm.em.getConnection().execute<{ count: string }[]>('select count(*) from attachments where uploader_id = ?', [uploaderId]);
  return Number(rows[0].count);
}

function filesOnDisk(): string[] {
  return readdirSync(uploadDir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => entry.name);
}

describe('POST /uploads', () => {
  it('stores a screenshot and answers its id, name, sniffed type, size and a download URL', async () => {
    const answer = await upload(server, cast.customerA.token, { name: 'screen shot.png', bytes: PNG, declaredType: 'image/png' });
    expect(answer.status).toBe(201);
    expect(answer.body).toMatchObject({ filename: 'screen shot.png', mimeType: 'image/png', size: PNG.length });
    expect(answer.body.id).toMatch(/^att_/);
    const file = await download(server, answer.body.url!);
    expect(file.status).toBe(200);
    expect(Buffer.from(await file.arrayBuffer())).toEqual(PNG);
  });

  it.each([
    ['a PNG named like text', { name: 'notes.txt', bytes: PNG, declaredType: 'text/plain' }, 'image/png'],
    ['a PDF named like an image', { name: 'photo.png', bytes: PDF, declaredType: 'image/png' }, 'application/pdf'],
    ['a JPEG without an extension', { name: 'camera', bytes: JPEG }, 'image/jpeg'],
    ['a log file', { name: 'error.log', bytes: TEXT }, 'text/plain'],
  ])('decides the type from the content, not the name or declared type: %s', async (_what, file, expected) => {
    const answer = await upload(server, cast.customerA.token, file);
    expect(answer.status).toBe(201);
    expect(answer.body.mimeType).toBe(expected);
  });

  it.each([
    ['HTML dressed as a PNG', { name: 'cat.png', bytes: HTML, declaredType: 'image/png' }],
    ['an SVG with a script', { name: 'logo.svg', bytes: SVG, declaredType: 'image/svg+xml' }],
    ['a Windows executable named like a PDF', { name: 'invoice.pdf', bytes: EXE, declaredType: 'application/pdf' }],
  ])('refuses %s with 415 and keeps nothing', async (_what, file) => {
    const customer = await createCustomer(server);
    const answer = await upload(server, customer.token, file);
    expect(answer.status).toBe(415);
    expect(answer.body.errors?.[0].extensions.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect(await attachmentRows(customer.user.id)).toBe(0);
  });

  it('accepts a file of exactly UPLOAD_MAX_BYTES', async () => {
    const answer = await upload(server, cast.customerA.token, { name: 'big.png', bytes: Buffer.concat([PNG, Buffer.alloc(MAX_BYTES - PNG.length)]) });
    expect(answer.status).toBe(201);
    expect(answer.body.size).toBe(MAX_BYTES);
  });

  it('refuses a file one byte over UPLOAD_MAX_BYTES with 413 and leaves no row and no partial file', async () => {
    const customer = await createCustomer(server);
    const before = filesOnDisk().length;
    const answer = await upload(server, customer.token, { name: 'huge.png', bytes: Buffer.concat([PNG, Buffer.alloc(MAX_BYTES + 1 - PNG.length)]) });
    expect(answer.status).toBe(413);
    expect(answer.body.errors?.[0].extensions.code).toBe('PAYLOAD_TOO_LARGE');
    expect(await attachmentRows(customer.user.id)).toBe(0);
    expect(filesOnDisk()).toHaveLength(before);
    expect(filesOnDisk().filter((name) => name.endsWith('.partial'))).toEqual([]);
  });

  it('refuses a body far over the limit from its Content-Length, before reading it', async () => {
    const answer = await upload(server, cast.customerA.token, { name: 'movie.png', bytes: Buffer.concat([PNG, Buffer.alloc(4 * MAX_BYTES)]) });
    expect(answer.status).toBe(413);
  });

  it.each(['customerA', 'customerB', 'agent', 'admin'] as const)('lets %s upload (anyone signed in)', async (who) => {
    expect((await upload(server, cast[who].token, { name: 'a.png', bytes: PNG })).status).toBe(201);
  });

  it('answers 401 without a token or with a bad one', async () => {
    expect((await upload(server, null, { name: 'a.png', bytes: PNG })).status).toBe(401);
    expect((await upload(server, 'not-a-token', { name: 'a.png', bytes: PNG })).status).toBe(401);
  });

  it('answers 400 when the file is not in the field "file", is empty, or the body is not multipart', async () => {
    expect((await upload(server, cast.customerA.token, { name: 'a.png', bytes: PNG, field: 'attachment' })).status).toBe(400);
    expect((await upload(server, cast.customerA.token, { name: 'empty.txt', bytes: Buffer.alloc(0) })).status).toBe(400);
    const json = await fetch(`${origin(server)}/uploads`, {
      method: 'POST',
      headers: { authorization: `Bearer ${cast.customerA.token}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(json.status).toBe(400);
  });

  it('keeps only the base name of the file, without direction-changing characters', async () => {
    const answer = await upload(server, cast.customerA.token, { name: '..\\..\\etc/in\u202Egnp.exe.png', bytes: PNG });
    expect(answer.status).toBe(201);
    expect(answer.body.filename).toBe('ingnp.exe.png');
  });
});

describe('sendMessage with uploads', () => {
  it('links the uploads; the message is IMAGE when they are all images, FILE otherwise', async () => {
    const ticketId = await openTicket();
    const images = [await uploaded(server, cast.customerA.token), await uploaded(server, cast.customerA.token, 'b.jpg', JPEG)];
    const imageMessage = await sendWith(cast.customerA, ticketId, images);
    expect(imageMessage.kind).toBe('IMAGE');
    expect(imageMessage.attachments.map((a) => a.id).sort()).toEqual([...images].sort());

    const mixed = [await uploaded(server, cast.customerA.token), await uploaded(server, cast.customerA.token, 'report.pdf', PDF)];
    const fileMessage = await sendWith(cast.customerA, ticketId, mixed);
    expect(fileMessage.kind).toBe('FILE');
    expect(fileMessage.attachments).toHaveLength(2);
  });

  it('refuses someone else’s upload and an upload already attached to a message', async () => {
    const ticketId = await openTicket();
    const others = await uploaded(server, cast.customerB.token);
    await cast.customerA.client.error('BAD_USER_INPUT', SendMessageWithAttachmentsDocument, { input: { ticketId, body: 'x', attachmentIds: [others] } });
    const mine = await uploaded(server, cast.customerA.token);
    await sendWith(cast.customerA, ticketId, [mine]);
    await cast.customerA.client.error('BAD_USER_INPUT', SendMessageWithAttachmentsDocument, { input: { ticketId, body: 'again', attachmentIds: [mine] } });
  });
});

describe('downloads', () => {
  let ticketId: string;
  let publicImage: string;
  let internalPdf: string;
  let unsent: string;
  let note: string;

  beforeAll(async () => {
    ticketId = await openTicket();
    publicImage = await uploaded(server, cast.customerA.token, 'screenshot.png');
    await sendWith(cast.customerA, ticketId, [publicImage]);
    internalPdf = await uploaded(server, cast.agent.token, 'internal-report.pdf', PDF);
    await sendWith(cast.agent, ticketId, [internalPdf], { internal: true });
    unsent = await uploaded(server, cast.customerA.token, 'draft.txt', TEXT);
    note = await uploaded(server, cast.customerA.token, 'notes.txt', TEXT);
  });

  const byToken = (actor: Actor | null, id: string) => download(server, `/attachments/${id}`, actor?.token);
  const actors = () => ({ anonymous: null, customerA: cast.customerA, customerB: cast.customerB, agent: cast.agent, admin: cast.admin });

  it.each([
    ['anonymous', 401],
    ['customerA', 200],
    ['customerB', 404],
    ['agent', 200],
    ['admin', 200],
  ] as const)('a customer’s public attachment, with the bearer token, as %s: %i', async (who, status) => {
    expect((await byToken(actors()[who], publicImage)).status).toBe(status);
  });

  it.each([
    ['anonymous', 401],
    ['customerA', 404],
    ['customerB', 404],
    ['agent', 200],
    ['admin', 200],
  ] as const)('an internal note’s attachment, as %s: %i', async (who, status) => {
    expect((await byToken(actors()[who], internalPdf)).status).toBe(status);
  });

  it.each([
    ['anonymous', 401],
    ['customerA', 200],
    ['customerB', 404],
    ['agent', 404],
    ['admin', 404],
  ] as const)('an upload not sent yet is its uploader’s alone, as %s: %i', async (who, status) => {
    expect((await byToken(actors()[who], unsent)).status).toBe(status);
  });

  it('Attachment.url gives each reader a link of their own that works without a token', async () => {
    for (const actor of [cast.customerA, cast.agent, cast.admin]) {
      const { ticket } = await actor.client.data(ConversationWithAttachmentsDocument, { id: ticketId });
      const attachment = ticket!.messages.nodes.flatMap((m) => m.attachments).find((a) => a.id === publicImage)!;
      expect(attachment.url).toContain(`viewer=${actor.user.id}`);
      expect((await download(server, attachment.url)).status).toBe(200);
    }
    // Customer B cannot reach the ticket, so gets no link either.
    await cast.customerB.client.error('NOT_FOUND', ConversationWithAttachmentsDocument, { id: ticketId });
  });

  it('a customer reading the conversation never gets a link to an internal note’s file', async () => {
    const { ticket } = await cast.customerA.client.data(ConversationWithAttachmentsDocument, { id: ticketId });
    expect(ticket!.messages.nodes.flatMap((m) => m.attachments).map((a) => a.id)).not.toContain(internalPdf);
  });

  it('a signed link stops working when it expires or is altered', async () => {
    const config = server.app.services.config;
    const expired = downloadUrl(config, publicImage, cast.customerA.user.id, Date.now() - (config.uploads.urlTtlSeconds + 5) * 1000);
    expect((await download(server, expired)).status).toBe(403);
    const valid = downloadUrl(config, publicImage, cast.customerA.user.id);
    expect((await download(server, valid.replace(cast.customerA.user.id, cast.agent.user.id))).status).toBe(403);
    expect((await download(server, valid.replace(/signature=[^&]+/, 'signature=AAAA'))).status).toBe(403);
    // A link for one file does not open another.
    expect((await download(server, valid.replace(publicImage, unsent))).status).toBe(403);
  });

  it('a signed link still checks its viewer: customer B’s own signature on A’s file answers 404', async () => {
    const config = server.app.services.config;
    expect((await download(server, downloadUrl(config, publicImage, cast.customerB.user.id))).status).toBe(404);
  });

  it('node(id) resolves an attachment only for those who may download it', async () => {
    const asA = await cast.customerA.client.data(AttachmentNodeDocument, { id: unsent });
    expect(asA.node).toMatchObject({ id: unsent, filename: 'draft.txt' });
    expect((await cast.customerB.client.data(AttachmentNodeDocument, { id: unsent })).node).toBeNull();
    expect((await cast.agent.client.data(AttachmentNodeDocument, { id: unsent })).node).toBeNull();
  });

  it('serves images inline with their type, and everything else as a download; never sniffable', async () => {
    const image = await byToken(cast.customerA, publicImage);
    expect(image.headers.get('content-type')).toBe('image/png');
    expect(parseDisposition(image.headers.get('content-disposition')!)).toMatchObject({ type: 'inline', parameters: { filename: 'screenshot.png' } });
    expect(image.headers.get('x-content-type-options')).toBe('nosniff');
    expect(image.headers.get('content-security-policy')).toContain('sandbox');

    const pdf = await byToken(cast.agent, internalPdf);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    expect(parseDisposition(pdf.headers.get('content-disposition')!).type).toBe('attachment');

    const text = await byToken(cast.customerA, note);
    expect(text.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(parseDisposition(text.headers.get('content-disposition')!).type).toBe('attachment');
  });

  it('names the file in Content-Disposition as uploaded, non-ASCII included', async () => {
    const id = await uploaded(server, cast.customerA.token, 'résumé; v2 €.pdf', PDF);
    const header = (await byToken(cast.customerA, id)).headers.get('content-disposition')!;
    expect(header).toMatch(/^attachment; filename="[ -~]+"; filename\*=UTF-8''/);
    expect(parseDisposition(header).parameters.filename).toBe('résumé; v2 €.pdf');
  });

  it('cannot be made to add header parameters or headers by a hostile stored name', async () => {
    const id = await uploaded(server, cast.customerA.token, 'plain.pdf', PDF);
    // Clients cannot send these characters through multipart; a name from elsewhere (an import, Messenger) might.
    await server.app.services.orm.em.getConnection().execute('update attachments set filename = ? where id = ?', ['a"b; filename=evil.html\r\nX-Evil: 1.pdf', id]);
    const response = await byToken(cast.customerA, id);
    const header = response.headers.get('content-disposition')!;
    expect(response.headers.get('x-evil')).toBeNull();
    expect(parseDisposition(header)).toEqual({ type: 'attachment', parameters: { filename: 'a"b; filename=evil.htmlX-Evil: 1.pdf' } });
  });

  it('a deleted message’s files stay with its author and admins, like its body', async () => {
    const id = await uploaded(server, cast.customerA.token);
    const message = await sendWith(cast.customerA, ticketId, [id]);
    await cast.customerA.client.data(DeleteMessageDocument, { id: message.id });
    expect((await byToken(cast.customerA, id)).status).toBe(200);
    expect((await byToken(cast.admin, id)).status).toBe(200);
    expect((await byToken(cast.agent, id)).status).toBe(404);
  });
});

describe('abandoned uploads', () => {
  it('are deleted, row and bytes, a day after upload; sent ones and recent ones stay', async () => {
    const ticketId = await openTicket();
    const abandoned = await uploaded(server, cast.customerA.token, 'forgotten.png');
    const sent = await uploaded(server, cast.customerA.token, 'sent.png');
    await sendWith(cast.customerA, ticketId, [sent]);
    const recent = await uploaded(server, cast.customerA.token, 'recent.png');
    const connection = server.app.services.orm.em.getConnection();
    await connection.execute(`update attachments set created_at = now() - interval '25 hours' where id in (?, ?)`, [abandoned, sent]);
    const files = filesOnDisk().length;

    await server.app.services.orm.em.fork().transactional((em) => enqueueJob(em as EntityManager, { kind: SWEEP_UPLOADS, payload: {} }));
    // Rows go first, then their bytes.
    await waitFor(async () => (await connection.execute('select 1 from attachments where id = ?', [abandoned])).length === 0 && filesOnDisk().length === files - 1);
    expect(filesOnDisk()).not.toContain(abandoned);
    expect((await byTokenOf(cast.customerA, sent)).status).toBe(200);
    expect((await byTokenOf(cast.customerA, recent)).status).toBe(200);
  });
});

function byTokenOf(actor: Actor, id: string) {
  return download(server, `/attachments/${id}`, actor.token);
}
