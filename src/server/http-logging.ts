import { randomUUID } from 'node:crypto';
import type { ErrorRequestHandler, Request, RequestHandler } from 'express';
import type { Logger } from 'pino';

declare module 'express-serve-static-core' {
  interface Request {
    /** Echoed in `x-request-id`, in every log line of the request and in GraphQL errors. */
    requestId: string;
    /** The app logger bound to this request's id. */
    log: Logger;
  }
}

const REQUEST_ID = /^[\w.-]{1,64}$/;
/** Probes hit these every few seconds; their lines stay at debug so they do not drown the rest. */
const PROBES = new Set(['/healthz', '/readyz']);

/**
 * Gives every request an id (the caller's `x-request-id` when it is sane, else a new UUID) and a
 * logger bound to it, and logs the request once when its response is done or abandoned:
 * method, path (never the query string, which may carry variables), status, duration, request id.
 */
export function requestLogging(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    const incoming = req.header('x-request-id');
    const requestId = incoming && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    req.requestId = requestId;
    req.log = logger.child({ requestId });
    res.setHeader('x-request-id', requestId);
    // 'close' fires once per response, after 'finish' when it completed and alone when aborted.
    res.once('close', () => {
      const durationMs = Math.round(Number(process.hrtime.bigint() - started) / 1e5) / 10;
      const line = {
        method: req.method,
        path: req.originalUrl.split('?')[0],
        status: res.statusCode,
        durationMs,
        operationName: operationNameOf(req),
        ...(res.writableFinished ? {} : { aborted: true }),
      };
      if (PROBES.has(line.path)) req.log.debug(line, 'request completed');
      else req.log.info(line, 'request completed');
    });
    next();
  };
}

function operationNameOf(req: Request): string | undefined {
  const body: unknown = req.body;
  const name = body && typeof body === 'object' && 'operationName' in body ? body.operationName : undefined;
  return typeof name === 'string' ? name : undefined;
}

/**
 * The last handler: anything thrown outside GraphQL (a malformed JSON body, a failed static file)
 * is logged with the request id and answered as JSON in the GraphQL error shape; 5xx details stay
 * in the logs.
 */
export function errorHandler(): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    if (res.headersSent) return next(error);
    const status = httpStatusOf(error);
    const log = req.log;
    if (status >= 500) log.error({ err: error }, 'request failed');
    else log.warn({ err: { message: (error as Error).message }, status }, 'request rejected');
    res.status(status).json({
      errors: [
        {
          message: status >= 500 ? 'Internal server error.' : (error as Error).message,
          extensions: { code: status >= 500 ? 'INTERNAL_SERVER_ERROR' : 'BAD_REQUEST', requestId: req.requestId },
        },
      ],
    });
  };
}

function httpStatusOf(error: unknown): number {
  const status = (error as { status?: unknown; statusCode?: unknown })?.status ?? (error as { statusCode?: unknown })?.statusCode;
  return typeof status === 'number' && status >= 400 && status < 600 ? status : 500;
}
