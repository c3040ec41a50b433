import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print, type GraphQLFormattedError } from 'graphql';
import { createClient, type Client, type FormattedExecutionResult } from 'graphql-ws';
import WebSocket from 'ws';

/**
 * graphql-ws helpers for integration tests, after graphql-ws' own test kit: every client is
 * tracked and `disposeWsClients()` (in afterEach) closes whatever a test left open, and tests wait
 * for what they expect with a timeout instead of sleeping.
 */

const DEFAULT_TIMEOUT = 5_000;
const open = new Set<{ dispose(): Promise<void> | void }>();

/** Closes every client and raw socket still open. */
export async function disposeWsClients(): Promise<void> {
  await Promise.all([...open].map((item) => item.dispose()));
  open.clear();
}

/** Polls `condition` until it holds (returning its value), or fails after `timeout`. */
export async function waitFor<T>(condition: () => T | Promise<T>, timeout = DEFAULT_TIMEOUT, what = 'condition'): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeout;
  let last: unknown;
  for (;;) {
    try {
      const value = await condition();
      if (value) return value as NonNullable<T>;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export interface CloseInfo {
  code: number;
  reason: string;
  at: number;
}

/** One subscription's record: everything it received, and ways to wait for more. */
export class TestSubscription<TData> {
  readonly results: FormattedExecutionResult<TData, unknown>[] = [];
  /** Errors from `error` messages and from `next` payloads that carry errors. */
  readonly errors: GraphQLFormattedError[] = [];
  completed = false;
  private listeners = new Set<() => void>();
  private unsubscribe?: () => void;

  /** The `data` of every result so far. */
  get data(): TData[] {
    return this.results.flatMap((result) => (result.data ? [result.data] : []));
  }

  start(client: Client, query: string, variables: Record<string, unknown> | undefined): void {
    this.unsubscribe = client.subscribe<TData>(
      { query, variables },
      {
        next: (result) => {
          this.results.push(result);
          if (result.errors) this.errors.push(...result.errors);
          this.changed();
        },
        error: (error) => {
          if (Array.isArray(error)) this.errors.push(...(error as GraphQLFormattedError[]));
          else this.errors.push({ message: error instanceof Error ? error.message : `closed: ${(error as { code?: number }).code}` });
          this.completed = true;
          this.changed();
        },
        complete: () => {
          this.completed = true;
          this.changed();
        },
      },
    );
  }

  /** Resolves with the first data item `expect` accepts (already here or still to come); rejects after `timeout` or if the subscription ends first. */
  waitForMessage(expect: (data: TData) => boolean = () => true, timeout = DEFAULT_TIMEOUT): Promise<TData> {
    return this.waitUntil(() => this.data.find(expect), timeout, 'a matching message');
  }

  /** Resolves once `count` data items have arrived, with all of them. */
  waitForCount(count: number, timeout = DEFAULT_TIMEOUT): Promise<TData[]> {
    return this.waitUntil(() => (this.data.length >= count ? this.data : undefined), timeout, `${count} messages (have ${this.data.length})`);
  }

  /** Resolves with the errors once the subscription ended with errors. */
  waitForError(timeout = DEFAULT_TIMEOUT): Promise<GraphQLFormattedError[]> {
    return this.waitUntil(() => (this.errors.length ? this.errors : undefined), timeout, 'an error', true);
  }

  waitForComplete(timeout = DEFAULT_TIMEOUT): Promise<true> {
    return this.waitUntil(() => this.completed || undefined, timeout, 'completion', true);
  }

  dispose(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  private waitUntil<T>(probe: () => T | undefined, timeout: number, what: string, endIsFine = false): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const value = probe();
        if (value !== undefined) return finish(() => resolve(value));
        if (this.completed && !endIsFine) {
          return finish(() => reject(new Error(`subscription ended while waiting for ${what}: ${JSON.stringify(this.errors)}`)));
        }
      };
      const timer = setTimeout(
        () => finish(() => reject(new Error(`timed out after ${timeout} ms waiting for ${what}; got ${JSON.stringify(this.results)}`))),
        timeout,
      );
      const finish = (settle: () => void) => {
        clearTimeout(timer);
        this.listeners.delete(check);
        settle();
      };
      this.listeners.add(check);
      check();
    });
  }

  private changed(): void {
    for (const listener of [...this.listeners]) listener();
  }
}

export interface WsConnection {
  client: Client;
  /** Resolves when the server acknowledged the connection. */
  connected: Promise<void>;
  /** Resolves with the first close of the socket. */
  closed: Promise<CloseInfo>;
  subscribe<TData, TVariables>(document: TypedDocumentNode<TData, TVariables>, variables?: TVariables): TestSubscription<TData>;
  dispose(): Promise<void>;
}

export interface ConnectOptions {
  /** Sent as connectionParams.authorization (`Bearer <token>`); omit for an anonymous socket. */
  token?: string | null;
  /** Replace connectionParams entirely (e.g. the explorer's `{ headers: { Authorization } }`). */
  connectionParams?: Record<string, unknown>;
}

/** A graphql-ws client that never retries, so a close is observable and final. */
export function connectWs(url: string, options: ConnectOptions = {}): WsConnection {
  let onConnected!: () => void;
  let onClosed!: (info: CloseInfo) => void;
  const connected = new Promise<void>((resolve) => (onConnected = resolve));
  const closed = new Promise<CloseInfo>((resolve) => (onClosed = resolve));
  const subscriptions = new Set<TestSubscription<unknown>>();
  const client = createClient({
    url,
    webSocketImpl: WebSocket,
    lazy: false,
    retryAttempts: 0,
    connectionParams: options.connectionParams ?? (options.token ? { authorization: `Bearer ${options.token}` } : {}),
    on: {
      connected: () => onConnected(),
      closed: (event) => {
        const { code, reason } = event as { code: number; reason: string };
        onClosed({ code, reason: String(reason), at: Date.now() });
      },
    },
    onNonLazyError: () => undefined,
  });
  const connection: WsConnection = {
    client,
    connected,
    closed,
    subscribe: (document, variables) => {
      const subscription = new TestSubscription<never>();
      subscription.start(client, print(document), variables as Record<string, unknown> | undefined);
      subscriptions.add(subscription as TestSubscription<unknown>);
      return subscription;
    },
    dispose: async () => {
      open.delete(connection);
      for (const subscription of subscriptions) subscription.dispose();
      await client.dispose();
    },
  };
  open.add(connection);
  return connection;
}

/** The raw protocol, for what a well-behaved client never does (huge frames, not reading). */
export interface RawSocket {
  socket: WebSocket;
  /** Every parsed message received. */
  messages: { id?: string; type: string; payload?: unknown }[];
  closed: Promise<CloseInfo>;
  send(message: object): void;
  dispose(): void;
}

/** Opens a socket with the graphql-transport-ws subprotocol and completes connection_init. */
export async function openRawSocket(url: string, token?: string, timeout = DEFAULT_TIMEOUT): Promise<RawSocket> {
  const socket = new WebSocket(url, 'graphql-transport-ws');
  const messages: RawSocket['messages'] = [];
  const closed = new Promise<CloseInfo>((resolve) => socket.once('close', (code, reason) => resolve({ code, reason: reason.toString(), at: Date.now() })));
  socket.on('message', (data) => messages.push(JSON.parse(data.toString())));
  socket.on('error', () => undefined);
  const raw: RawSocket = {
    socket,
    messages,
    closed,
    send: (message) => socket.send(JSON.stringify(message)),
    dispose: () => {
      open.delete(raw);
      socket.terminate();
    },
  };
  open.add(raw);
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  raw.send({ type: 'connection_init', payload: token ? { authorization: `Bearer ${token}` } : {} });
  await waitFor(() => messages.some((message) => message.type === 'connection_ack'), timeout, 'connection_ack');
  return raw;
}
