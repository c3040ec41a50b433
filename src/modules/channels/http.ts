import type { Request, Response } from 'express';

/** Answers in the GraphQL error shape the rest of the server uses (`errors[0].extensions.code`), with the request id. */
export function sendError(req: Request, res: Response, status: number, code: string, message: string, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  res.status(status).json({ errors: [{ message, extensions: { code, requestId: req.requestId } }] });
}
