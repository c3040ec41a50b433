import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import type { TestServer } from '../../support/server';

/** The server's origin (`http://127.0.0.1:<port>`), for the routes beside /graphql. */
export function origin(server: TestServer): string {
  return new URL(server.url).origin;
}

// ---------------------------------------------------------------- files

/** A valid 1×1 PNG. */
export const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=', 'base64');
/** A JPEG's signature is all the sniffer needs. */
export const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01]), Buffer.alloc(64)]);
export const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');
export const TEXT = Buffer.from('Error 42 at line 7\nstack: …\n');
export const HTML = Buffer.from('<!doctype html><html><body><script>alert(document.cookie)</script></body></html>');
export const SVG = Buffer.from('<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');
export const EXE = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(200, 0x90)]);

export interface UploadAnswer {
  status: number;
  body: {
    id?: string;
    filename?: string;
    mimeType?: string;
    size?: number;
    url?: string;
    errors?: { message: string; extensions: { code: string } }[];
  };
}

/** POST /uploads as a browser would: multipart with the file in `file` (its declared type is whatever the client says). */
export async function upload(
  server: TestServer,
  token: string | null,
  file: { name: string; bytes: Buffer; declaredType?: string; field?: string },
): Promise<UploadAnswer> {
  const form = new FormData();
  form.append(file.field ?? 'file', new Blob([file.bytes], { type: file.declaredType ?? 'application/octet-stream' }), file.name);
  const response = await fetch(`${origin(server)}/uploads`, { method: 'POST', body: form, headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: response.status, body: (await response.json()) as UploadAnswer['body'] };
}

/** Uploads and returns the attachment id, failing the test on anything but 201. */
export async function uploaded(server: TestServer, token: string, name = 'screenshot.png', bytes = PNG): Promise<string> {
  const answer = await upload(server, token, { name, bytes });
  if (answer.status !== 201 || !answer.body.id) throw new Error(`upload failed: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body.id;
}

/** GET a download URL (relative to the server), optionally with a bearer token. */
export async function download(server: TestServer, url: string, token?: string): Promise<Response> {
  return fetch(new URL(url, origin(server)), { headers: token ? { authorization: `Bearer ${token}` } : {} });
}

// ---------------------------------------------------------------- jobs

/** Jobs not yet done nor given up, by kind. */
export async function pendingJobs(server: TestServer, kind?: string): Promise<number> {
  const rows = await server.app.services.orm.em
    .getConnection()
    .execute<{ count: string }[]>(`select count(*) from jobs where done_at is null and failed_at is null ${kind ? 'and kind = ?' : ''}`, kind ? [kind] : []);
  return Number(rows[0].count);
}

export async function jobsOf(server: TestServer, kind: string) {
  return server.app.services.orm.em
    .getConnection()
    .execute<{ id: string; attempts: number; done_at: Date | null; failed_at: Date | null; last_error: string | null; payload: Record<string, unknown> }[]>(
      `select j.id::text as id, j.attempts, j.done_at, j.failed_at, j.last_error, j.payload from jobs j where j.kind = ? order by j.id`,
      [kind],
    );
}

/** Job timings for tests: poll often, retry soon. */
export const FAST_JOBS = { JOBS_POLL_INTERVAL_MS: '20', JOBS_RETRY_BASE_MS: '30', JOBS_RETRY_MAX_MS: '200' };

// ---------------------------------------------------------------- Meta's Graph API, locally

export interface GraphCall {
  method: string;
  path: string;
  authorization: string | undefined;
  body: { recipient?: { id: string }; messaging_type?: string; message?: { text?: string; attachment?: { type: string; payload: { url: string } } } };
}

/**
 * A stand-in for graph.facebook.com: records Send API calls, answers profile lookups, and can be
 * told to fail the next calls (to exercise retries and give-ups).
 */
export class GraphStandIn {
  readonly calls: GraphCall[] = [];
  /** What Meta's CDN serves for attachments customers send: path → bytes. */
  readonly files = new Map<string, Buffer>();
  private failures: { status: number; body: unknown; headers?: Record<string, string> }[] = [];
  private server?: Server;
  url = '';

  async start(): Promise<this> {
    this.server = createServer(async (req, res) => {
      const body = await readBody(req);
      const path = (req.url ?? '').split('?')[0];
      const file = this.files.get(path);
      if (req.method === 'GET' && path.startsWith('/cdn/')) {
        res.statusCode = file ? 200 : 404;
        res.end(file ?? '');
        return;
      }
      if (req.method === 'GET') {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ first_name: 'Mia', last_name: 'Messenger', id: path.slice(1) }));
        return;
      }
      const call: GraphCall = { method: req.method ?? '', path, authorization: req.headers.authorization, body: JSON.parse(body || '{}') };
      this.calls.push(call);
      const failure = this.failures.shift();
      res.setHeader('content-type', 'application/json');
      if (failure) {
        for (const [name, value] of Object.entries(failure.headers ?? {})) res.setHeader(name, value);
        res.statusCode = failure.status;
        res.end(JSON.stringify(failure.body));
        return;
      }
      res.end(JSON.stringify({ recipient_id: call.body.recipient?.id, message_id: `m_out_${this.calls.length}` }));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v21.0`;
    return this;
  }

  /** A file as Meta's CDN would link it in a webhook. */
  cdnFile(name: string, bytes: Buffer): string {
    this.files.set(`/cdn/${name}`, bytes);
    return `${new URL(this.url).origin}/cdn/${name}?_nc_oc=signature`;
  }

  /** The next `times` Send API calls answer `status` with a Graph error body. */
  fail(times: number, status: number, error: { message: string; code: number; is_transient?: boolean }, headers?: Record<string, string>): void {
    for (let i = 0; i < times; i++) this.failures.push({ status, body: { error: { type: 'OAuthException', ...error } }, headers });
  }

  sendsTo(psid: string): GraphCall[] {
    return this.calls.filter((call) => call.path.endsWith('/me/messages') && call.body.recipient?.id === psid);
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export const MESSENGER = { verifyToken: 'verify-me', appSecret: 'app-secret-for-tests', pageToken: 'page-token-for-tests' };

export function messengerEnv(graph: GraphStandIn): Record<string, string> {
  return {
    MESSENGER_VERIFY_TOKEN: MESSENGER.verifyToken,
    MESSENGER_APP_SECRET: MESSENGER.appSecret,
    MESSENGER_PAGE_TOKEN: MESSENGER.pageToken,
    MESSENGER_GRAPH_URL: graph.url,
  };
}

/** A webhook delivery as Meta sends it: the JSON and its X-Hub-Signature-256. */
export function signedDelivery(payload: unknown, secret = MESSENGER.appSecret): { body: string; signature: string } {
  const body = JSON.stringify(payload);
  return { body, signature: `sha256=${createHmac('sha256', secret).update(body).digest('hex')}` };
}

export function textEvent(psid: string, mid: string, text: string, attachments?: { type: string; payload: { url: string } }[]) {
  const message = { mid, ...(text ? { text } : {}), ...(attachments ? { attachments } : {}) };
  return { object: 'page', entry: [{ id: 'PAGE_ID', time: Date.now(), messaging: [{ sender: { id: psid }, recipient: { id: 'PAGE_ID' }, timestamp: Date.now(), message }] }] };
}

export async function deliver(server: TestServer, payload: unknown, signature?: string | null): Promise<Response> {
  const signed = signedDelivery(payload);
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (signature !== null) headers['x-hub-signature-256'] = signature ?? signed.signature;
  return fetch(`${origin(server)}/webhooks/messenger`, { method: 'POST', headers, body: signed.body });
}

// ---------------------------------------------------------------- a local SMTP server

export interface ReceivedMail {
  from: string;
  to: string[];
  headers: Record<string, string>;
  subject: string;
  text: string;
  html: string;
  raw: string;
}

/** smtp-server on a free port, keeping what it receives; `refuse` makes it answer 451 (try later) for a while. */
export class SmtpStandIn {
  readonly mails: ReceivedMail[] = [];
  private refusals = 0;
  private server?: SMTPServer;
  url = '';

  async start(): Promise<this> {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          if (this.refusals > 0) {
            this.refusals--;
            const error = Object.assign(new Error('Try again later'), { responseCode: 451 });
            callback(error);
            return;
          }
          const raw = Buffer.concat(chunks).toString('utf8');
          this.mails.push({
            ...parseMail(raw),
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
            raw,
          });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const port = (this.server.server.address() as AddressInfo).port;
    this.url = `smtp://127.0.0.1:${port}`;
    return this;
  }

  refuse(times: number): void {
    this.refusals = times;
  }

  to(address: string): ReceivedMail[] {
    return this.mails.filter((mail) => mail.to.includes(address));
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}

/** Just enough MIME for nodemailer's output: headers, and the text and HTML parts decoded. */
function parseMail(raw: string): Omit<ReceivedMail, 'from' | 'to' | 'raw'> {
  const { headers, body } = splitHeaders(raw);
  const parts: { headers: Record<string, string>; body: string }[] = [];
  const collect = (partHeaders: Record<string, string>, partBody: string) => {
    const boundary = /boundary="?([^";]+)"?/i.exec(partHeaders['content-type'] ?? '')?.[1];
    if (boundary) {
      for (const piece of partBody.split(`--${boundary}`).slice(1)) {
        if (piece.startsWith('--')) break;
        const inner = splitHeaders(piece.replace(/^\r?\n/, ''));
        collect(inner.headers, inner.body);
      }
    } else {
      parts.push({ headers: partHeaders, body: decode(partBody, partHeaders['content-transfer-encoding']) });
    }
  };
  collect(headers, body);
  const find = (type: string) => parts.find((part) => (part.headers['content-type'] ?? '').startsWith(type))?.body ?? '';
  return { headers, subject: headers.subject ?? '', text: find('text/plain'), html: find('text/html') };
}

function splitHeaders(raw: string): { headers: Record<string, string>; body: string } {
  const end = raw.search(/\r?\n\r?\n/);
  const head = raw.slice(0, end).replace(/\r?\n[ \t]+/g, ' ');
  const headers: Record<string, string> = {};
  for (const line of head.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { headers, body: raw.slice(end).replace(/^\r?\n\r?\n/, '') };
}

function decode(body: string, encoding = '7bit'): string {
  if (/base64/i.test(encoding)) return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (/quoted-printable/i.test(encoding)) {
    const bytes = body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/gi, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
    return Buffer.from(bytes, 'latin1').toString('utf8');
  }
  return body;
}
