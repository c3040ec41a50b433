import path from 'node:path';
import { Worker } from 'node:worker_threads';
import * as hdr from 'hdr-histogram-js';
import { sharedTimings, type ClientSpec, type FromWorker, type SharedTimings, type StepReport, type ToWorker } from './protocol';

/** Worker threads load the TypeScript sources the way this process does. */
const BOOT = `require('@swc-node/register'); require(require('node:worker_threads').workerData.file);`;

export interface StepResult {
  received: number;
  duplicated: number;
  unmeasured: number;
  histogram: hdr.Histogram;
  receivedByTicket: Map<number, number>;
  /** The worst worker's event-loop delay over the step, in ms. */
  loopDelayMs: { p99: number; max: number };
  /** The longest garbage-collection pause of any worker, and the workers' total, in ms. */
  gcMs: { max: number; total: number };
}

/**
 * The websocket load generator: `workers` threads sharing the subscribers between them, and the
 * publish-time table they read. Everything it does is bounded by the caller's timeouts.
 */
export class WsHarness {
  private readonly inbox: FromWorker[][];
  private readonly waiters: ((message: FromWorker) => void)[][];

  private constructor(
    private readonly workers: Worker[],
    readonly timings: SharedTimings,
  ) {
    this.inbox = workers.map(() => []);
    this.waiters = workers.map(() => []);
    workers.forEach((worker, i) =>
      worker.on('message', (message: FromWorker) => {
        const waiter = this.waiters[i].shift();
        if (waiter) waiter(message);
        else this.inbox[i].push(message);
      }),
    );
  }

  static start(workerCount: number, tickets: number): WsHarness {
    const { buffers, views } = sharedTimings(tickets);
    const file = path.join(__dirname, 'worker.ts');
    const workers = Array.from({ length: workerCount }, () => {
      const worker = new Worker(BOOT, { eval: true, workerData: { file, buffers }, resourceLimits: { maxOldGenerationSizeMb: 4096 } });
      worker.on('error', (error) => console.error('websocket worker failed:', error));
      return worker;
    });
    return new WsHarness(workers, views);
  }

  private next(i: number, timeoutMs: number): Promise<FromWorker> {
    const queued = this.inbox[i].shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const index = this.waiters[i].indexOf(waiter);
        if (index >= 0) this.waiters[i].splice(index, 1);
        reject(new Error(`websocket worker ${i} did not answer in ${timeoutMs} ms`));
      }, timeoutMs);
      const waiter = (message: FromWorker) => {
        clearTimeout(timer);
        resolve(message);
      };
      this.waiters[i].push(waiter);
    });
  }

  private async ask<M extends FromWorker>(messages: ToWorker[], timeoutMs: number): Promise<M[]> {
    this.workers.forEach((worker, i) => worker.postMessage(messages[i]));
    return (await Promise.all(this.workers.map((_, i) => this.next(i, timeoutMs)))) as M[];
  }

  private all(message: ToWorker): ToWorker[] {
    return this.workers.map(() => message);
  }

  /** Opens and subscribes every client (spread over the workers), `concurrency` pending per worker. */
  async connect(specs: ClientSpec[], concurrency: number, timeoutMs: number): Promise<{ ok: number; failed: number; ms: number; errors: string[] }> {
    const shares = this.workers.map((_, i) => specs.filter((__, j) => j % this.workers.length === i));
    const replies = await this.ask<Extract<FromWorker, { cmd: 'connected' }>>(
      shares.map((share) => ({ cmd: 'connect', specs: share, concurrency })),
      timeoutMs,
    );
    return {
      ok: replies.reduce((sum, reply) => sum + reply.ok, 0),
      failed: replies.reduce((sum, reply) => sum + reply.failed, 0),
      ms: Math.max(...replies.map((reply) => reply.ms)),
      errors: replies.flatMap((reply) => reply.errors),
    };
  }

  /** A full garbage collection in every worker (before a step); resolves with the longest, in ms. */
  async settle(timeoutMs = 30_000): Promise<number> {
    const replies = await this.ask<Extract<FromWorker, { cmd: 'settled' }>>(this.all({ cmd: 'settle' }), timeoutMs);
    return Math.max(...replies.map((reply) => reply.ms));
  }

  /** Deliveries of messages published in `step` are counted and timed from now on. */
  measure(step: number): void {
    for (const worker of this.workers) worker.postMessage({ cmd: 'measure', step } satisfies ToWorker);
  }

  async report(step: number, timeoutMs = 30_000): Promise<StepResult> {
    const replies = await this.ask<Extract<FromWorker, { cmd: 'report' }>>(this.all({ cmd: 'report', step }), timeoutMs);
    const histogram = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 120_000_000, numberOfSignificantValueDigits: 3, useWebAssembly: false });
    const receivedByTicket = new Map<number, number>();
    let received = 0;
    let duplicated = 0;
    let unmeasured = 0;
    for (const { report } of replies as { report: StepReport }[]) {
      received += report.received;
      duplicated += report.duplicated;
      unmeasured += report.unmeasured;
      const part = hdr.decodeFromCompressedBase64(report.histogram, 32, false);
      histogram.add(part);
      part.destroy();
      for (const [ticket, count] of Object.entries(report.receivedByTicket)) receivedByTicket.set(Number(ticket), (receivedByTicket.get(Number(ticket)) ?? 0) + count);
    }
    const loopDelayMs = {
      p99: Math.max(...replies.map(({ report }) => (report as StepReport).loopDelayMs.p99)),
      max: Math.max(...replies.map(({ report }) => (report as StepReport).loopDelayMs.max)),
    };
    const reports = replies.map(({ report }) => report as StepReport);
    const gcMs = { max: Math.max(...reports.map((report) => report.gcMs.max)), total: reports.reduce((sum, report) => sum + report.gcMs.total, 0) };
    return { received, duplicated, unmeasured, histogram, receivedByTicket, loopDelayMs, gcMs };
  }

  /** Every client drops its socket at once, then all reconnect at once, resuming after their last seq. */
  async storm(timeoutMs: number): Promise<{ connectedMs: number; connected: number; failed: number; errors: string[] }> {
    const replies = await this.ask<Extract<FromWorker, { cmd: 'storm' }>>(this.all({ cmd: 'storm' }), timeoutMs);
    return {
      connectedMs: Math.max(...replies.map((reply) => reply.connectedMs)),
      connected: replies.reduce((sum, reply) => sum + reply.connected, 0),
      failed: replies.reduce((sum, reply) => sum + reply.failed, 0),
      errors: replies.flatMap((reply) => reply.errors),
    };
  }

  async progress(step: number): Promise<{ received: number; duplicated: number; clients: number }> {
    const replies = await this.ask<Extract<FromWorker, { cmd: 'progress' }>>(this.all({ cmd: 'progress', step }), 30_000);
    const sum = (key: 'received' | 'duplicated' | 'clients') => replies.reduce((total, reply) => total + reply[key], 0);
    return { received: sum('received'), duplicated: sum('duplicated'), clients: sum('clients') };
  }

  async counts(): Promise<{ open: number; failedSinceStart: number; errors: string[] }> {
    const replies = await this.ask<Extract<FromWorker, { cmd: 'counts' }>>(this.all({ cmd: 'counts' }), 30_000);
    return {
      open: replies.reduce((sum, reply) => sum + reply.open, 0),
      failedSinceStart: replies.reduce((sum, reply) => sum + reply.failedSinceStart, 0),
      errors: replies.flatMap((reply) => reply.errors),
    };
  }

  async close(timeoutMs = 60_000): Promise<void> {
    await this.ask(this.all({ cmd: 'close' }), timeoutMs);
  }

  async terminate(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.terminate()));
  }
}
