import type { IncomingMessage } from 'node:http';
import cors from 'cors';
import express, { type Express, type Request, type RequestHandler, type Response } from 'express';
import helmet from 'helmet';
import proxyaddr from 'proxy-addr';
import { withRequestId } from './client-errors';
import { RateLimitedError, type RateLimits } from './rate-limits';
import type { SecuritySettings } from './settings';

export type ClientIp = (req: IncomingMessage) => string;

/**
 * The client's address for limits and logs. X-Forwarded-For counts only when it was added by a
 * proxy TRUST_PROXY names (addresses, subnets, `loopback`..., or a hop count); otherwise anyone
 * could pick a fresh IP per request.
 */
export function clientIpResolver(trust: SecuritySettings['trustProxy']): ClientIp {
  const trusts =
    trust === true ? () => true : trust === false ? () => false : typeof trust === 'number' ? (_: string, hop: number) => hop < trust : proxyaddr.compile(trust);
  return (req) => {
    try {
      return proxyaddr(req, trusts);
    } catch {
      return req.socket.remoteAddress ?? 'unknown';
    }
  };
}

const requestIdOf = (req: Request): string | undefined => req.requestId;

/** A GraphQL-shaped error answer for what fails before GraphQL runs. */
function sendError(res: Response, req: Request, status: number, code: string, message: string, extra: Record<string, unknown> = {}): void {
  res
    .status(status)
    .type('application/json')
    .send(JSON.stringify({ errors: [{ message, extensions: { code, ...extra, requestId: requestIdOf(req) } }] }));
}

/**
 * Security headers for every response (an API's: nothing may be framed, loaded or sniffed; the
 * explorer sets its own CSP on its pages) and CORS for the allowed origins only.
 */
export function securityHeaders(settings: SecuritySettings): RequestHandler[] {
  const allowed = new Set(settings.corsOrigins);
  return [
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"], baseUri: ["'none'"], formAction: ["'none'"] },
      },
      referrerPolicy: { policy: 'no-referrer' },
    }),
    cors({
      // Unlisted origins get no CORS headers, so browsers keep their pages from reading answers.
      origin: (origin, done) => done(null, !!origin && allowed.has(origin)),
      methods: ['GET', 'POST', 'OPTIONS'],
      allowedHeaders: ['authorization', 'content-type', 'apollo-require-preflight', 'x-apollo-operation-name', 'x-request-id'],
      exposedHeaders: ['x-request-id', 'retry-after'],
      credentials: false,
      maxAge: 600,
    }),
  ];
}

/** Counts every request to /graphql per IP before its body is even read. */
export function limitRequests(limits: RateLimits, clientIp: ClientIp): RequestHandler {
  return (req, res, next) => {
    limits.consume(limits.requestsPerIp, clientIp(req)).then(
      () => next(),
      (error: unknown) => {
        if (!(error instanceof RateLimitedError)) return next(error);
        res.setHeader('retry-after', String(error.retryAfter));
        sendError(res, req, 429, 'RATE_LIMITED', error.message, { retryAfter: error.retryAfter });
      },
    );
  };
}

/** Marks a response of /graphql whose error answers get the request id (see requestIdOnEarlyErrors). */
const EARLY_ERROR_SCOPE = Symbol('parley.earlyErrorScope');
type ScopedResponse = Response & { [EARLY_ERROR_SCOPE]?: true };

/**
 * JSON bodies up to the limit (beyond it: 413, answered by http-logging's error handler), and the
 * mark that gives errors Apollo answers before any plugin runs (bad bodies, batches, CSRF) the
 * request id on the way out. Apollo's Express integration answers 500 when nothing parsed a body
 * (GET, or a POST with another content type); an explicit `undefined` lets Apollo answer those
 * itself (400, or CSRF refusal).
 */
export function graphqlBody(settings: SecuritySettings): RequestHandler[] {
  return [
    express.json({ limit: settings.maxBodyBytes }),
    (req, res, next) => {
      if (!Object.hasOwn(req, 'body')) req.body = undefined;
      // Not an AsyncLocalStorage scope: on Node 20 that hooks every promise of the request (about 10% of a list query's CPU).
      (res as ScopedResponse)[EARLY_ERROR_SCOPE] = true;
      next();
    },
  ];
}

/**
 * Once per app, on its response prototype: a marked response's error answer (a string, status 400
 * and up) gets the request id. A `send` of each response's own, which this replaced, made V8 keep
 * every request's objects past the next young-generation collection (as express-prototypes.ts
 * describes for prototypes): 9% of the young generation survived, against 1% without it.
 */
export function requestIdOnEarlyErrors(app: Express): void {
  const response = app.response as ScopedResponse;
  const send = response.send;
  response.send = function sendWithRequestId(this: ScopedResponse, body?: unknown) {
    const scoped = this[EARLY_ERROR_SCOPE] === true && this.statusCode >= 400 && typeof body === 'string';
    return send.call(this, scoped ? withRequestId(body, requestIdOf(this.req) ?? 'unknown') : body);
  };
}
