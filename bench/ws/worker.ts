/**
 * A worker thread of the websocket harness: thousands of graphql-ws clients (one socket each), each
 * subscribed to one ticket's messageAdded. Every delivery is checked (duplicates by seq) and timed
 * against the moment the publisher published it (shared memory, one monotonic clock).
 */
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { parentPort, workerData } from 'node:worker_threads';
import { createClient, type Client } from 'graphql-ws';
import * as hdr from 'hdr-histogram-js';
import WebSocket from 'ws';
import { nowMicros, RING, SUBSCRIPTION, viewsOf, type ClientSpec, type FromWorker, type StepReport, type ToWorker } from './protocol';

const timings = viewsOf(workerData.buffers);
const port = parentPort!;
const send = (message: FromWorker) => port.postMessage(message);

interface Step {
  histogram: hdr.Histogram;
  /** Subscribers that received at least one message of the step. */
  clients: number;
  received: number;
  duplicated: number;
  unmeasured: number;
  receivedByTicket: Record<number, number>;
}

const newHistogram = () => hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 120_000_000, numberOfSignificantValueDigits: 3, useWebAssembly: false });
const steps = new Map<number, Step>();
let measuring = -1;
/** This thread's event-loop delay since the current step started measuring. */
const loopDelay = monitorEventLoopDelay({ resolution: 5 });
loopDelay.enable();
/** This thread's garbage collections since the step started: the longest pause and their total, in ms. */
let gcPauses = { max: 0, total: 0 };
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    gcPauses.max = Math.max(gcPauses.max, entry.duration);
    gcPauses.total += entry.duration;
  }
}).observe({ entryTypes: ['gc'] });
// A full collection between steps, so that garbage of connecting 10,000 clients is not collected
// (in pauses of 100 ms and more) while a step is timing deliveries.
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;
let failedSinceStart = 0;
const errors: string[] = [];

function noteError(text: string): void {
  failedSinceStart++;
  if (errors.length < 20) errors.push(text);
}

function stepOf(step: number): Step {
  let entry = steps.get(step);
  if (!entry) steps.set(step, (entry = { histogram: newHistogram(), clients: 0, received: 0, duplicated: 0, unmeasured: 0, receivedByTicket: {} }));
  return entry;
}

class Subscriber {
  lastSeq = 0;
  connected = false;
  private lastStep = -1;
  private client?: Client;
  private disposing = false;
  /** The socket is open (from `opened` to `closed`): disposing waits for its close. */
  private socketOpen = false;
  private onSocketClosed?: () => void;

  constructor(readonly spec: ClientSpec) {}

  /** Opens the socket and subscribes; resolves once the server acknowledged the connection. */
  start(resume: boolean): Promise<void> {
    this.disposing = false;
    this.connected = false;
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      const settle = (error?: string) => {
        if (settled) return;
        settled = true;
        if (error) reject(new Error(error));
        else resolve();
      };
      const client = createClient({
        url: this.spec.url,
        webSocketImpl: WebSocket,
        connectionParams: { authorization: `Bearer ${this.spec.token}` },
        lazy: true,
        retryAttempts: 0,
        keepAlive: 0,
        on: {
          opened: () => {
            this.socketOpen = true;
          },
          connected: () => {
            this.connected = true;
            settle();
          },
          closed: (event) => {
            const wasConnected = this.connected;
            this.connected = false;
            this.socketOpen = false;
            this.onSocketClosed?.();
            this.onSocketClosed = undefined;
            if (this.disposing) return;
            const { code, reason } = event as { code?: number; reason?: string };
            if (wasConnected) noteError(`closed ${code} ${reason ?? ''}`);
            settle(`closed ${code} ${reason ?? ''} before the ack`);
          },
          error: (error) => {
            if (!this.disposing) settle(`socket error: ${(error as Error)?.message ?? String(error)}`);
          },
        },
      });
      this.client = client;
      const variables: Record<string, unknown> = { ticketId: this.spec.ticketId };
      if (resume && this.lastSeq > 0) variables.afterSeq = this.lastSeq;
      client.subscribe<{ messageAdded: { seq: number } }>(
        { query: SUBSCRIPTION, variables },
        {
          next: (result) => {
            const message = result.data?.messageAdded;
            if (!message) {
              if (result.errors) noteError(`next with errors: ${result.errors[0]?.message}`);
              return;
            }
            this.delivered(message.seq);
          },
          error: (error) => {
            if (this.disposing) return;
            const text = Array.isArray(error) ? `subscription error: ${(error as { message: string }[])[0]?.message}` : `subscription ended: ${(error as { code?: number })?.code ?? String(error)}`;
            noteError(text);
            settle(text);
          },
          complete: () => undefined,
        },
      );
    });
  }

  private delivered(seq: number): void {
    const slot = this.spec.ticketIndex * RING + (seq % RING);
    const known = timings.seqs[slot] === seq;
    const step = known ? timings.steps[slot] : measuring;
    const entry = stepOf(step);
    if (seq <= this.lastSeq) {
      entry.duplicated++;
      return;
    }
    this.lastSeq = seq;
    entry.received++;
    if (this.lastStep !== step) {
      this.lastStep = step;
      entry.clients++;
    }
    entry.receivedByTicket[this.spec.ticketIndex] = (entry.receivedByTicket[this.spec.ticketIndex] ?? 0) + 1;
    if (!known) {
      entry.unmeasured++;
      return;
    }
    entry.histogram.recordValue(Math.max(1, nowMicros() - timings.times[slot]));
  }

  async dispose(): Promise<void> {
    this.disposing = true;
    this.connected = false;
    const client = this.client;
    this.client = undefined;
    // Wait for the close to finish (bounded): a storm of 10,000 reconnecting while the old sockets
    // still hold their descriptors ran the load generator out of them (EMFILE).
    const closed = this.socketOpen ? new Promise<void>((resolve) => (this.onSocketClosed = resolve)) : null;
    await client?.dispose();
    if (closed) await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 5000))]);
  }
}

// graphql-ws rejects internal promises with the CloseEvent of a socket that failed; the subscriber
// has already counted that failure through its own callbacks.
process.on('unhandledRejection', (reason) => {
  const code = (reason as { code?: number } | null)?.code;
  if (code === undefined) noteError(`unhandled rejection: ${String(reason)}`);
});

let subscribers: Subscriber[] = [];

/** Starts `items` with at most `concurrency` pending at once (Infinity: all at once). */
async function startAll(items: Subscriber[], concurrency: number, resume: boolean): Promise<{ ok: number; failed: number }> {
  let ok = 0;
  let failed = 0;
  let next = 0;
  const runOne = async (subscriber: Subscriber) => {
    try {
      await subscriber.start(resume);
      ok++;
    } catch (error) {
      failed++;
      noteError((error as Error).message);
    }
  };
  if (!Number.isFinite(concurrency)) {
    await Promise.all(items.map(runOne));
    return { ok, failed };
  }
  const lanes = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) await runOne(items[next++]);
  });
  await Promise.all(lanes);
  return { ok, failed };
}

port.on('message', (message: ToWorker) => {
  void (async () => {
    switch (message.cmd) {
      case 'connect': {
        const started = performance.now();
        const fresh = message.specs.map((spec) => new Subscriber(spec));
        subscribers.push(...fresh);
        const { ok, failed } = await startAll(fresh, message.concurrency, false);
        send({ cmd: 'connected', ok, failed, ms: performance.now() - started, errors: errors.slice(0, 5) });
        return;
      }
      case 'measure':
        measuring = message.step;
        stepOf(message.step);
        loopDelay.reset();
        gcPauses = { max: 0, total: 0 };
        return;
      case 'settle': {
        const started = performance.now();
        collectGarbage();
        send({ cmd: 'settled', ms: performance.now() - started });
        return;
      }
      case 'report': {
        const entry = stepOf(message.step);
        const report: StepReport = {
          step: message.step,
          received: entry.received,
          duplicated: entry.duplicated,
          unmeasured: entry.unmeasured,
          histogram: hdr.encodeIntoCompressedBase64(entry.histogram),
          receivedByTicket: entry.receivedByTicket,
          loopDelayMs: { p99: loopDelay.percentile(99) / 1e6, max: loopDelay.max / 1e6 },
          gcMs: gcPauses,
        };
        entry.histogram.destroy();
        steps.delete(message.step);
        send({ cmd: 'report', report });
        return;
      }
      case 'storm': {
        // Every socket drops at once (as on a network blip or a deploy), then all come back at
        // once, each resuming from the last seq it saw.
        await Promise.all(subscribers.map((subscriber) => subscriber.dispose()));
        const started = performance.now();
        const { ok, failed } = await startAll(subscribers, Infinity, true);
        send({ cmd: 'storm', connectedMs: performance.now() - started, connected: ok, failed, errors: errors.slice(0, 5) });
        return;
      }
      case 'progress': {
        const entry = steps.get(message.step);
        send({ cmd: 'progress', received: entry?.received ?? 0, duplicated: entry?.duplicated ?? 0, clients: entry?.clients ?? 0 });
        return;
      }
      case 'counts':
        send({ cmd: 'counts', open: subscribers.filter((subscriber) => subscriber.connected).length, failedSinceStart, errors: errors.slice(0, 10) });
        return;
      case 'close':
        await Promise.all(subscribers.map((subscriber) => subscriber.dispose()));
        subscribers = [];
        steps.clear();
        send({ cmd: 'closed' });
        return;
    }
  })();
});
