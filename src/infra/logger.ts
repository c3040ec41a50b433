import pino, { type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string, pretty = process.stdout.isTTY): Logger {
  return pino({
    level,
    base: { service: 'parley' },
    redact: { paths: ['req.headers.authorization', 'password', 'token', 'refreshToken'], censor: '[redacted]' },
    transport: pretty ? { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,service' } } : undefined,
  });
}
