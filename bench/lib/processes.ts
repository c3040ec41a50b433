import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { connect } from 'node:net';
import path from 'node:path';
import { BENCH_ROOT, WORK_DIR } from './paths';

/** A V8 CPU profile (.cpuprofile), or sampled allocations with what GC collected since (.heapprofile). */
export type ProfileKind = 'cpu' | 'allocations';

const PROBE = path.join(BENCH_ROOT, 'lib', 'probe.cjs');

export interface ProbeStats {
  statements: number;
  cpuMs: number;
  wallMs: number;
  loopDelayMs: { p50: number; p99: number; max: number };
  /** Garbage-collection pauses since the reset: the longest and their total, in ms. */
  gcMs: { max: number; total: number; byKind?: Record<string, { count: number; max: number; total: number }> };
  memory: { rss: number; heapUsed: number; heapTotal: number; external: number; arrayBuffers: number };
}

export interface CapturedStatement {
  text: string;
  values?: unknown[];
  /** The pg connection it ran on (an id of the probe's). */
  connection: number;
  startedAt: number;
  endedAt: number;
  /** Issued while another statement of this process was still running. */
  concurrent: boolean;
}

export interface ServerSpec {
  /** For logs and errors: `parley-1`, `floor-http`... */
  name: string;
  /** The node binary (a peer may bring its own). */
  node?: string;
  /** Node flags before the probe, e.g. `--max-old-space-size`. */
  nodeArgs?: string[];
  /** The script and its arguments. */
  args: string[];
  env: Record<string, string>;
  cwd?: string;
  port: number;
  /** Where the probe resolves `pg` from (the server's own node_modules). */
  pgFrom?: string;
  /** How long startup may take. */
  startTimeoutMs?: number;
}

/** A server the benchmark started, with the probe preloaded and an IPC channel to it. */
export class ServerProcess {
  private nextId = 1;
  private readonly pending = new Map<number, (result: unknown) => void>();
  private exited: Promise<number | null>;
  private exitCode: number | null | undefined;

  private constructor(
    readonly spec: ServerSpec,
    readonly child: ChildProcess,
  ) {
    this.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        this.exitCode = code ?? (signal ? -1 : null);
        for (const settle of this.pending.values()) settle({ error: `${spec.name} exited` });
        this.pending.clear();
        resolve(code);
      }),
    );
    child.on('message', (message: { probeReply?: number; result?: unknown }) => {
      if (typeof message?.probeReply !== 'number') return;
      const settle = this.pending.get(message.probeReply);
      this.pending.delete(message.probeReply);
      settle?.(message.result);
    });
  }

  static async start(spec: ServerSpec): Promise<ServerProcess> {
    const logs = path.join(WORK_DIR, 'logs');
    mkdirSync(logs, { recursive: true });
    const log = createWriteStream(path.join(logs, `${spec.name}.log`), { flags: 'a' });
    log.write(`\n--- ${new Date().toISOString()} ${spec.args.join(' ')}\n`);
    const child = spawn(spec.node ?? process.execPath, [...(spec.nodeArgs ?? []), '--expose-gc', '-r', PROBE, ...spec.args], {
      cwd: spec.cwd ?? path.dirname(BENCH_ROOT),
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...spec.env, PROBE_PG_FROM: spec.pgFrom ?? spec.cwd ?? path.dirname(BENCH_ROOT) },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    child.stdout?.pipe(log, { end: false });
    child.stderr?.pipe(log, { end: false });
    const server = new ServerProcess(spec, child);
    const deadline = Date.now() + (spec.startTimeoutMs ?? 60_000);
    while (!(await portOpen(spec.port))) {
      if (server.exitCode !== undefined) throw new Error(`${spec.name} exited during startup (code ${server.exitCode}); see bench/.work/logs/${spec.name}.log`);
      if (Date.now() > deadline) {
        await server.stop();
        throw new Error(`${spec.name} did not listen on ${spec.port} in time; see bench/.work/logs/${spec.name}.log`);
      }
      await sleep(200);
    }
    return server;
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get alive(): boolean {
    return this.exitCode === undefined;
  }

  private ask<T>(message: Record<string, unknown>, timeoutMs = 30_000): Promise<T> {
    if (!this.alive) return Promise.reject(new Error(`${this.spec.name} is not running`));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${this.spec.name} did not answer ${String(message.probe)}`));
      }, timeoutMs);
      this.pending.set(id, (result) => {
        clearTimeout(timer);
        const error = (result as { error?: string } | undefined)?.error;
        if (error) reject(new Error(`${this.spec.name}: ${error}`));
        else resolve(result as T);
      });
      this.child.send({ ...message, id });
    });
  }

  reset(): Promise<void> {
    return this.ask({ probe: 'reset' });
  }

  stats(gc = false): Promise<ProbeStats> {
    return this.ask({ probe: 'stats', gc }, 60_000);
  }

  /** Starts recording statements; `stopCapture` returns them. */
  async startCapture(): Promise<void> {
    await this.ask({ probe: 'capture', on: true });
  }

  async stopCapture(): Promise<CapturedStatement[]> {
    return (await this.ask<{ statements: CapturedStatement[] }>({ probe: 'capture', on: false })).statements;
  }

  /** Counts statements per HTTP request from now on; `stopAttribution` returns them and those of background work. */
  async startAttribution(): Promise<void> {
    await this.ask({ probe: 'attribute', on: true });
  }

  async stopAttribution(): Promise<{ requests: number[]; background: number }> {
    return this.ask({ probe: 'attribute', on: false });
  }

  async heapSnapshot(file: string): Promise<string> {
    return (await this.ask<{ file: string }>({ probe: 'heapsnapshot', file }, 300_000)).file;
  }

  /** Starts a profile of `kind`; stopping writes it to `file` with its kind's extension added. */
  async profile(on: true, kind: ProfileKind): Promise<void>;
  async profile(on: false, file: string): Promise<string | null>;
  async profile(on: boolean, kindOrFile: string): Promise<unknown> {
    const result = await this.ask<{ file?: string | null }>(on ? { probe: 'profile', on, kind: kindOrFile } : { probe: 'profile', on, file: kindOrFile }, 120_000);
    return result.file;
  }

  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
  async stop(graceMs = 15_000): Promise<void> {
    if (!this.alive) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}

export function portOpen(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Stops every server in parallel, ignoring ones already gone. */
export async function stopAll(servers: (ServerProcess | undefined)[]): Promise<void> {
  await Promise.all(servers.map((server) => server?.stop().catch(() => undefined)));
}
