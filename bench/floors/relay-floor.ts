/**
 * The floor for the fan-out and connection benchmarks: a bare ws + Redis relay. It speaks just
 * enough of graphql-transport-ws for the same clients (connection_init → ack, subscribe, complete,
 * ping), subscribes to the same Redis channels (`parley:ticket:<id>`), and forwards each event's
 * pre-serialized `frame` (the message as the GraphQL result data, written by the publisher) to
 * every subscriber of the ticket: no database, no GraphQL execution, no authorization, no replay.
 *
 * Env: PORT, REDIS_URL.
 */
import { createServer } from 'node:http';
import Redis from 'ioredis';
import { WebSocketServer, type WebSocket } from 'ws';

const port = Number(process.env.PORT ?? 4211);
const subscriber = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const http = createServer((_req, res) => {
  res.writeHead(426).end();
});
const wss = new WebSocketServer({ server: http, path: '/graphql', handleProtocols: (protocols) => (protocols.has('graphql-transport-ws') ? 'graphql-transport-ws' : false) });

/** Per channel, the sockets following it and the operation id each used. */
const followers = new Map<string, Map<WebSocket, string>>();

function follow(socket: WebSocket, channel: string, id: string): void {
  let sockets = followers.get(channel);
  if (!sockets) {
    followers.set(channel, (sockets = new Map()));
    void subscriber.subscribe(channel);
  }
  sockets.set(socket, id);
}

function unfollow(socket: WebSocket, channel: string): void {
  const sockets = followers.get(channel);
  if (!sockets) return;
  sockets.delete(socket);
  if (sockets.size === 0) {
    followers.delete(channel);
    void subscriber.unsubscribe(channel);
  }
}

subscriber.on('message', (channel: string, message: string) => {
  const sockets = followers.get(channel);
  if (!sockets) return;
  const { frame } = JSON.parse(message) as { frame?: string };
  if (!frame) return;
  const tail = `","type":"next","payload":{"data":{"messageAdded":${frame}}}}`;
  for (const [socket, id] of sockets) socket.send(`{"id":"${id}${tail}`);
});

wss.on('connection', (socket) => {
  const channels = new Map<string, string>();
  keepAlive(socket);
  socket.on('message', (data) => {
    let message: { type?: string; id?: string; payload?: { variables?: { ticketId?: string } } };
    try {
      message = JSON.parse(String(data));
    } catch {
      socket.close(4400, 'Invalid message');
      return;
    }
    switch (message.type) {
      case 'connection_init':
        socket.send('{"type":"connection_ack"}');
        return;
      case 'ping':
        socket.send('{"type":"pong"}');
        return;
      case 'subscribe': {
        const ticketId = message.payload?.variables?.ticketId;
        if (!ticketId || !message.id) return;
        const channel = `parley:ticket:${ticketId}`;
        channels.set(message.id, channel);
        follow(socket, channel, message.id);
        return;
      }
      case 'complete': {
        const channel = message.id && channels.get(message.id);
        if (channel) {
          channels.delete(message.id!);
          unfollow(socket, channel);
        }
        return;
      }
    }
  });
  socket.on('close', () => {
    for (const channel of channels.values()) unfollow(socket, channel);
    channels.clear();
  });
  socket.on('error', () => undefined);
});

/**
 * Keep-alive as Parley's server (graphql-ws' useServer) does it: each socket pinged every 12 s from
 * its own connection time, and dropped if no pong comes within 12 s. One timer pinging every socket
 * at once made the load generator answer 10,000 pings in one burst, which stalled its threads for
 * 200 ms every 12 s and showed as the floor's delivery tail.
 */
const KEEP_ALIVE_MS = 12_000;
function keepAlive(socket: WebSocket): void {
  let pongWait: NodeJS.Timeout | null = null;
  const ping = setInterval(() => {
    pongWait = setTimeout(() => socket.terminate(), KEEP_ALIVE_MS);
    socket.once('pong', () => {
      if (pongWait) clearTimeout(pongWait);
      pongWait = null;
    });
    socket.ping();
  }, KEEP_ALIVE_MS);
  socket.on('close', () => {
    clearInterval(ping);
    if (pongWait) clearTimeout(pongWait);
  });
}

http.listen(port, '127.0.0.1');

const stop = () => {
  for (const socket of wss.clients) socket.terminate();
  wss.close();
  http.close();
  subscriber.disconnect();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
