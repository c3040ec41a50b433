import type { IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import { GraphQLError, type DocumentNode } from 'graphql';
import type { Viewer } from '../../shared/auth/viewer';
import type { ClientIp } from './http';
import type { OperationGuard } from './operation-guard';
import { RateLimitedError, type RateLimits } from './rate-limits';

type VerifyDone = (result: boolean, code?: number, message?: string, headers?: OutgoingHttpHeaders) => void;

export interface SocketOperation {
  socketId: string;
  /** The client's address, read from the upgrade request when the socket connected. */
  ip: string;
  document: DocumentNode;
  operationName?: string | null;
  variables?: Record<string, unknown> | null;
  viewer: Viewer | null;
}

/**
 * The HTTP protections graphql-ws bypasses: connections per IP at the upgrade (a 429 before any
 * socket exists), then per operation the socket's own rate and the same guard as HTTP.
 */
export class WebSocketGuard {
  constructor(
    private readonly limits: RateLimits,
    private readonly guard: OperationGuard,
    private readonly clientIp: ClientIp,
  ) {}

  /** ws' `verifyClient`, asynchronous form. */
  readonly verifyClient = (info: { req: IncomingMessage }, done: VerifyDone): void => {
    this.limits.consume(this.limits.wsConnectionsPerIp, this.clientIp(info.req)).then(
      () => done(true),
      (error: unknown) => {
        if (error instanceof RateLimitedError) done(false, 429, 'Too Many Requests', { 'retry-after': String(error.retryAfter) });
        else done(false, 500, 'Internal Server Error');
      },
    );
  };

  /** Null to go ahead; otherwise the errors graphql-ws sends for this operation (the socket stays). */
  async admit(operation: SocketOperation): Promise<readonly GraphQLError[] | null> {
    try {
      await this.limits.consume(this.limits.operationsPerSocket, operation.socketId);
      await this.guard.admit(operation);
      return null;
    } catch (error) {
      if (error instanceof GraphQLError) return [error];
      if (error instanceof RateLimitedError) {
        // Keeps the application error as the original, so formatting keeps `retryAfter`.
        return [new GraphQLError(error.message, { originalError: error, extensions: { code: error.code, ...error.extensions } })];
      }
      throw error;
    }
  }
}
