/**
 * Bounds of the real-time layer. Defaults suit production; tests shrink the timings through
 * `createApp({ realtime })` so that expiry, heartbeats and slow consumers are quick to observe.
 */
export interface RealtimeLimits {
  /** Largest websocket frame accepted (ws closes with 1009 above it). */
  maxPayloadBytes: number;
  /** Operations one socket may run at once; more answer RATE_LIMITED. */
  maxSubscriptionsPerSocket: number;
  /** Events one subscription may hold, waiting to be handled, before its consumer is disconnected. */
  maxQueuedEvents: number;
  /** Bytes the socket may hold unsent (ws `bufferedAmount`) before the consumer is disconnected: frames are written without waiting for the last one, so this is what bounds a consumer that stops reading. */
  maxBufferedBytes: number;
  /** graphql-ws keep-alive: a ping every this many ms; a socket that misses the pong is dropped. */
  keepAliveMs: number;
  /** A typing state without a refresh for this long turns into `isTyping: false`. */
  typingTimeoutMs: number;
  /** How often an instance refreshes its presence entries in Redis. */
  presenceHeartbeatMs: number;
  /** An entry not refreshed for this long belongs to a crashed instance and is dropped. */
  presenceTtlMs: number;
  /** Messages read from the database per round while catching up (afterSeq, gaps, reconnects). */
  catchUpBatchSize: number;
}

export const DEFAULT_REALTIME_LIMITS: RealtimeLimits = {
  maxPayloadBytes: 64 * 1024,
  maxSubscriptionsPerSocket: 100,
  maxQueuedEvents: 1000,
  maxBufferedBytes: 1024 * 1024,
  keepAliveMs: 12_000,
  typingTimeoutMs: 5_000,
  presenceHeartbeatMs: 10_000,
  presenceTtlMs: 30_000,
  catchUpBatchSize: 100,
};
