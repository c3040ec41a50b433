/**
 * What the websocket harness' main thread and its worker threads say to each other, and the
 * shared memory through which the publisher tells every worker when each message was published.
 */

/** One subscriber: a graphql-ws client on its own socket, following one ticket. */
export interface ClientSpec {
  url: string;
  token: string;
  ticketId: string;
  /** Index of the ticket in the fan-out set (0-based), the row of its slots in the shared timing. */
  ticketIndex: number;
}

/**
 * Per (ticket, seq) slot, written by the publisher right before it publishes: the time (µs, on
 * process.hrtime's monotonic clock, the same in every thread), the seq (to tell a slot reused by a
 * later message) and the step of the sweep the message belongs to.
 */
export const RING = 1024;

export interface SharedTimings {
  times: Float64Array;
  seqs: Int32Array;
  steps: Int32Array;
}

export function sharedTimings(tickets: number): { buffers: [SharedArrayBuffer, SharedArrayBuffer, SharedArrayBuffer]; views: SharedTimings } {
  const buffers: [SharedArrayBuffer, SharedArrayBuffer, SharedArrayBuffer] = [
    new SharedArrayBuffer(tickets * RING * 8),
    new SharedArrayBuffer(tickets * RING * 4),
    new SharedArrayBuffer(tickets * RING * 4),
  ];
  return { buffers, views: viewsOf(buffers) };
}

export function viewsOf(buffers: [SharedArrayBuffer, SharedArrayBuffer, SharedArrayBuffer]): SharedTimings {
  return { times: new Float64Array(buffers[0]), seqs: new Int32Array(buffers[1]), steps: new Int32Array(buffers[2]) };
}

export const nowMicros = () => Number(process.hrtime.bigint() / 1000n);

export const SUBSCRIPTION = 'subscription Live($ticketId: ID!, $afterSeq: Int) { messageAdded(ticketId: $ticketId, afterSeq: $afterSeq) { id seq body createdAt author { name } } }';

export type ToWorker =
  | { cmd: 'connect'; specs: ClientSpec[]; concurrency: number }
  | { cmd: 'measure'; step: number }
  | { cmd: 'settle' }
  | { cmd: 'report'; step: number }
  | { cmd: 'storm' }
  | { cmd: 'close' }
  | { cmd: 'counts' }
  | { cmd: 'progress'; step: number };

export interface StepReport {
  step: number;
  received: number;
  duplicated: number;
  /** Receipts whose publish time was not found (slot reused): not in the histogram. */
  unmeasured: number;
  /** hdr-histogram-js, compressed, in µs. */
  histogram: string;
  /** Per ticket index: receipts in this step (to compute the expected count per live client). */
  receivedByTicket: Record<number, number>;
  /** The worker thread's event-loop delay over the step, in ms: a late delivery may be the load generator's. */
  loopDelayMs: { p99: number; max: number };
  /** The worker's garbage collections over the step: longest pause and total, in ms. */
  gcMs: { max: number; total: number };
}

export type FromWorker =
  | { cmd: 'connected'; ok: number; failed: number; ms: number; errors: string[] }
  | { cmd: 'report'; report: StepReport }
  | { cmd: 'storm'; connectedMs: number; connected: number; failed: number; errors: string[] }
  | { cmd: 'closed' }
  | { cmd: 'settled'; ms: number }
  | { cmd: 'progress'; received: number; duplicated: number; clients: number }
  | { cmd: 'counts'; open: number; failedSinceStart: number; errors: string[] };
