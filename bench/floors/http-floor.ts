/**
 * The floor for the list and send benchmarks: what node:http and pg alone can do with the same
 * tables, the same answers and the fewest statements. No GraphQL, no ORM, no framework. It checks
 * the token as Parley does (JWT signature, then the session and the user in one statement), so the
 * comparison is about the layers in between, not about skipping authentication.
 *
 *   POST /list  the JSON Parley answers for
 *               tickets(first: 50) { nodes { customer { name } assignee { user { name } } messages(last: 20) { nodes { author { name } body } } } }
 *               in 3 statements: the session; the page of tickets with both names joined; the last
 *               20 messages of every ticket of the page with their authors' names (window function).
 *   POST /send  { ticketId, body }: in one transaction, the ticket's counters (its row locked by the
 *               UPDATE) and the message insert; then MESSAGE_ADDED published as Parley does.
 *
 * Env: PORT, DATABASE_URL, REDIS_URL, JWT_SECRET, POOL_MAX (default 20, Parley's pool size).
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import Redis from 'ioredis';
import jwt from 'jsonwebtoken';
import { Pool } from 'pg';

const port = Number(process.env.PORT ?? 4200);
const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.POOL_MAX ?? 20) });
const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { enableOfflineQueue: true });
const secret = process.env.JWT_SECRET ?? '';

const STAFF = new Set(['AGENT', 'SUPERVISOR', 'ADMIN']);

interface Viewer {
  userId: string;
  role: string;
}

/** The token's signature and expiry, then its session and user, in one statement. */
async function viewerOf(req: IncomingMessage): Promise<Viewer | null> {
  const header = req.headers.authorization ?? '';
  const token = header.startsWith('Bearer ') ? header.slice(7) : header;
  let claims: { sub?: string; sid?: string };
  try {
    claims = jwt.verify(token, secret, { algorithms: ['HS256'], issuer: 'parley', audience: 'parley-api' }) as { sub?: string; sid?: string };
  } catch {
    return null;
  }
  const { rows } = await pool.query<{ role: string }>({
    name: 'session',
    text: `select u.role from sessions s join users u on u.id = s.user_id
            where s.id = $1 and s.user_id = $2 and s.revoked_at is null and s.expires_at > now() and u.active`,
    values: [claims.sid, claims.sub],
  });
  return rows.length ? { userId: claims.sub!, role: rows[0].role } : null;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, json: string): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(json) });
  res.end(json);
}

async function list(viewer: Viewer): Promise<string> {
  const staff = STAFF.has(viewer.role);
  const tickets = await pool.query<{ id: string; customer_name: string; assignee_name: string | null; has_assignee: boolean }>({
    name: 'tickets',
    text: `select t.id, c.name as customer_name, au.name as assignee_name, t.assignee_id is not null as has_assignee
             from tickets t
             join users c on c.id = t.customer_id
             left join agents a on a.id = t.assignee_id
             left join users au on au.id = a.user_id
            where $1 or t.customer_id = $2
            order by t.created_at desc, t.id desc
            limit 50`,
    values: [staff, viewer.userId],
  });
  const ids = tickets.rows.map((row) => row.id);
  const messages = await pool.query<{ ticket_id: string; author_name: string | null; author_id: string | null; body: string; deleted: boolean }>({
    name: 'messages',
    text: `select m.ticket_id, u.name as author_name, m.author_id, m.body, m.deleted_at is not null as deleted
             from (select ticket_id, seq, author_id, body, deleted_at,
                          row_number() over (partition by ticket_id order by seq desc) as rn
                     from messages where ticket_id = any($1) and ($2 or not internal)) m
             left join users u on u.id = m.author_id
            where m.rn <= 20
            order by m.ticket_id, m.seq`,
    values: [ids, staff],
  });
  const byTicket = new Map<string, { author: { name: string } | null; body: string }[]>();
  for (const row of messages.rows) {
    let group = byTicket.get(row.ticket_id);
    if (!group) byTicket.set(row.ticket_id, (group = []));
    // Parley's visibleBody: a deleted message is blank for all but its author and admins.
    const body = row.deleted && row.author_id !== viewer.userId && viewer.role !== 'ADMIN' ? '' : row.body;
    group.push({ author: row.author_name === null ? null : { name: row.author_name }, body });
  }
  const nodes = tickets.rows.map((row) => ({
    customer: { name: row.customer_name },
    assignee: row.has_assignee ? { user: { name: row.assignee_name } } : null,
    messages: { nodes: byTicket.get(row.id) ?? [] },
  }));
  // Byte for byte what Parley answers, its trailing newline included.
  return `${JSON.stringify({ data: { tickets: { nodes } } })}\n`;
}

const ID_ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
function messageId(): string {
  const bytes = randomBytes(26);
  let out = 'msg_';
  for (const byte of bytes) out += ID_ALPHABET[byte & 31];
  return out;
}

async function sendMessage(viewer: Viewer, input: { ticketId: string; body: string }): Promise<string | null> {
  const staff = STAFF.has(viewer.role);
  const id = messageId();
  const client = await pool.connect();
  let seq: number;
  try {
    await client.query('begin');
    const updated = await client.query<{ last_seq: number }>({
      name: 'counters',
      text: `update tickets set last_seq = last_seq + 1, message_count = message_count + 1,
                    public_message_count = public_message_count + 1, last_message_at = now(), last_public_message_at = now(), updated_at = now()
              where id = $1 and ($2 or customer_id = $3)
          returning last_seq`,
      values: [input.ticketId, staff, viewer.userId],
    });
    if (!updated.rows.length) {
      await client.query('rollback');
      return null;
    }
    seq = updated.rows[0].last_seq;
    await client.query({
      name: 'insert',
      text: `insert into messages (id, ticket_id, seq, author_id, author_kind, kind, body, internal, created_at)
             values ($1, $2, $3, $4, $5, 'TEXT', $6, false, now())`,
      values: [id, input.ticketId, seq, viewer.userId, staff ? 'AGENT' : 'CUSTOMER', input.body],
    });
    await client.query('commit');
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
  // After the commit, to the ticket's channel and the staff-wide one, as Parley's EventPublisher does.
  const event = JSON.stringify({ type: 'MESSAGE_ADDED', ticketId: input.ticketId, messageId: id, seq, internal: false, authorId: viewer.userId });
  await Promise.all([redis.publish(`parley:ticket:${input.ticketId}`, event), redis.publish('parley:staff:tickets', event)]);
  return `${JSON.stringify({ data: { sendMessage: { message: { id, seq } } } })}\n`;
}

const server = createServer((req, res) => {
  (async () => {
    const body = await readBody(req);
    const viewer = await viewerOf(req);
    if (!viewer) return send(res, 401, '{"errors":[{"message":"unauthenticated"}]}');
    if (req.url === '/list') return send(res, 200, await list(viewer));
    if (req.url === '/send') {
      const parsed = JSON.parse(body) as { variables?: { input?: { ticketId: string; body: string } } };
      const input = parsed.variables?.input;
      if (!input) return send(res, 400, '{"errors":[{"message":"no input"}]}');
      const answer = await sendMessage(viewer, input);
      return answer ? send(res, 200, answer) : send(res, 404, '{"errors":[{"message":"not found"}]}');
    }
    send(res, 404, '{"errors":[{"message":"no such route"}]}');
  })().catch((error: unknown) => {
    console.error(error);
    if (!res.headersSent) send(res, 500, '{"errors":[{"message":"internal"}]}');
  });
});
server.keepAliveTimeout = 65_000;
server.listen(port, '127.0.0.1');

const stop = () => {
  server.close();
  server.closeAllConnections();
  void Promise.all([pool.end(), redis.quit()]).finally(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
