import autocannon from 'autocannon';
import { cpuWindow, round, type CpuWindow } from './machine';

export interface HttpLoad {
  url: string;
  connections: number;
  durationSeconds: number;
  headers: Record<string, string>;
  /** A fixed body, or one per request. */
  body: string | (() => string);
  /** False counts the answer as a mismatch (a wrong or failed answer). */
  verify: (body: string) => boolean;
}

export interface HttpResult {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  /** Answers that were not 2xx, failed verification, errored or timed out. */
  failures: number;
  cpu: CpuWindow;
}

/** One bounded autocannon run in this process; the CPU it used is the load generator's. */
export async function runHttpLoad(load: HttpLoad): Promise<HttpResult> {
  const cpu = cpuWindow();
  const makeBody = load.body;
  const result = await autocannon({
    url: load.url,
    method: 'POST',
    connections: load.connections,
    duration: load.durationSeconds,
    timeout: 10,
    headers: { 'content-type': 'application/json', ...load.headers },
    ...(typeof makeBody === 'string'
      ? { body: makeBody }
      : {
          requests: [
            {
              setupRequest: (request: autocannon.Request) => ({ ...request, body: makeBody() }),
            },
          ],
        }),
    verifyBody: load.verify,
  } as autocannon.Options);
  const used = cpu();
  const seconds = result.duration || load.durationSeconds;
  const failures = result.non2xx + result.errors + result.timeouts + ((result as unknown as { mismatches?: number }).mismatches ?? 0);
  return {
    requestsPerSecond: round(result.requests.total / seconds, 1),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    requests: result.requests.total,
    failures,
    cpu: used,
  };
}
