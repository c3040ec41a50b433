/**
 * Preloaded into every server the benchmark starts (`node --expose-gc -r bench/lib/probe.cjs …`):
 * Parley, the floors and the peers alike, so each is measured the same way and none of them
 * carries benchmark code. It answers the runner over the IPC channel:
 *
 *   { probe: 'reset' }            zero the counters below
 *   { probe: 'stats', gc: true }  SQL statements since the reset, CPU since the reset, event-loop
 *                                 delay, memory (after a full GC when asked)
 *   { probe: 'capture', on }      record each statement's text, values and timing (dashboard replay)
 *   { probe: 'attribute', on }    count statements per HTTP request (in the request's async context),
 *                                 apart from background work; off returns the counts
 *   { probe: 'profile', on, kind }  start a V8 CPU profile (kind 'cpu') or sampled allocations ('allocations')
 *   { probe: 'profile', on, file }  stop it and write it to `file` plus .cpuprofile or .heapprofile
 *   { probe: 'heapsnapshot', file } write a heap snapshot (after a GC)
 *
 * Statements are counted at `pg`'s Client#query, which every driver here goes through (knex for
 * MikroORM, the floors' pools, PostGraphile's adaptor), so BEGIN and COMMIT count too.
 */
'use strict';
const path = require('node:path');
const fs = require('node:fs');
const { monitorEventLoopDelay, PerformanceObserver } = require('node:perf_hooks');

const { AsyncLocalStorage } = require('node:async_hooks');
const http = require('node:http');

const patched = new Set();
let statements = 0;
/** While attributing: statements of each HTTP request, counted in the request's async context. */
let attribution = null;
const requestScope = new AsyncLocalStorage();
let capture = null;
let inFlight = 0;
/** Which pg connection ran a captured statement (replays keep transactions on one connection). */
const connectionIds = new WeakMap();
let nextConnectionId = 1;

/** Patches the `pg` a server will load: resolved from PROBE_PG_FROM (its folder), else ours. */
function patchPg() {
  const from = process.env.PROBE_PG_FROM || process.cwd();
  let file;
  try {
    file = require.resolve('pg/lib/client', { paths: [from] });
  } catch {
    return;
  }
  if (patched.has(file)) return;
  patched.add(file);
  const Client = require(file);
  const query = Client.prototype.query;
  Client.prototype.query = function probedQuery(config, values, callback) {
    statements++;
    if (attribution) {
      const store = requestScope.getStore();
      if (store) store.statements++;
      else attribution.background++;
    }
    // Only what HTTP requests ran is captured: background jobs (SLA, outbox, rollups) are not the request's SQL.
    if (!capture || !requestScope.getStore()) return query.call(this, config, values, callback);
    const text = typeof config === 'string' ? config : config && config.text;
    const params = Array.isArray(values) ? values : config && config.values;
    if (!connectionIds.has(this)) connectionIds.set(this, nextConnectionId++);
    const entry = { text, values: params, connection: connectionIds.get(this), startedAt: performance.now(), endedAt: 0, concurrent: inFlight > 0 };
    capture.push(entry);
    inFlight++;
    let ended = false;
    const done = () => {
      if (ended) return;
      ended = true;
      entry.endedAt = performance.now();
      inFlight--;
    };
    // Callback style (knex passes one): wrap it, so the timing ends with the answer.
    const wrap = (fn) =>
      function probedCallback(...args) {
        done();
        return fn.apply(this, args);
      };
    if (typeof values === 'function') values = wrap(values);
    else if (typeof callback === 'function') callback = wrap(callback);
    const result = query.call(this, config, values, callback);
    if (result && typeof result.then === 'function') result.then(done, done);
    else if (result && typeof result.on === 'function') {
      result.on('end', done);
      result.on('error', done);
    }
    return result;
  };
}
patchPg();

// Attribution runs each HTTP request in its own async context (only while asked: AsyncLocalStorage
// costs something on promise-heavy code, and the timed runs must not pay it).
const emit = http.Server.prototype.emit;
http.Server.prototype.emit = function probedEmit(event, req, res) {
  if (event !== 'request' || !attribution) return emit.apply(this, arguments);
  const store = { statements: 0 };
  const recording = attribution;
  res.once('finish', () => recording.requests.push(store.statements));
  return requestScope.run(store, () => emit.apply(this, arguments));
};

const loopDelay = monitorEventLoopDelay({ resolution: 5 });
loopDelay.enable();
/** Garbage-collection pauses since the reset: the longest and their total, in ms. */
let gcPauses = { max: 0, total: 0, byKind: {} };
const GC_KINDS = { 1: 'minor', 2: 'major', 4: 'incremental', 8: 'weakcb' };
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    gcPauses.max = Math.max(gcPauses.max, entry.duration);
    gcPauses.total += entry.duration;
    const kind = GC_KINDS[entry.detail && entry.detail.kind] || 'other';
    const byKind = (gcPauses.byKind[kind] ??= { count: 0, max: 0, total: 0 });
    byKind.count++;
    byKind.max = Math.max(byKind.max, Math.round(entry.duration * 10) / 10);
    byKind.total = Math.round((byKind.total + entry.duration) * 10) / 10;
  }
}).observe({ entryTypes: ['gc'] });
let cpuBase = process.cpuUsage();
let wallBase = performance.now();
let session = null;

function memory(gc) {
  if (gc && typeof global.gc === 'function') {
    global.gc();
    global.gc();
  }
  const m = process.memoryUsage();
  return { rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external, arrayBuffers: m.arrayBuffers };
}

/** How each kind of profile starts and stops, and the extension its file gets. */
const PROFILERS = {
  cpu: { domain: 'Profiler', start: ['Profiler.start', {}], stop: 'Profiler.stop', extension: '.cpuprofile' },
  // Sampled allocations, keeping what GC collected since: what was allocated, not what is left.
  allocations: {
    domain: 'HeapProfiler',
    start: ['HeapProfiler.startSampling', { samplingInterval: 4096, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true }],
    stop: 'HeapProfiler.stopSampling',
    extension: '.heapprofile',
  },
};
let profiler = null;

function startProfile(kind) {
  const inspector = require('node:inspector');
  profiler = PROFILERS[kind] || PROFILERS.cpu;
  session = new inspector.Session();
  session.connect();
  const [method, params] = profiler.start;
  return new Promise((resolve, reject) =>
    session.post(`${profiler.domain}.enable`, () => session.post(method, params, (error) => (error ? reject(error) : resolve()))),
  );
}

function stopProfile(file) {
  return new Promise((resolve, reject) => {
    if (!session) return resolve(null);
    session.post(profiler.stop, (error, result) => {
      if (error) return reject(error);
      const written = file + profiler.extension;
      fs.mkdirSync(path.dirname(written), { recursive: true });
      fs.writeFileSync(written, JSON.stringify(result.profile));
      session.disconnect();
      session = null;
      resolve(written);
    });
  });
}

async function answer(message) {
  switch (message.probe) {
    case 'reset':
      statements = 0;
      cpuBase = process.cpuUsage();
      wallBase = performance.now();
      loopDelay.reset();
      gcPauses = { max: 0, total: 0, byKind: {} };
      return { ok: true };
    case 'stats': {
      const cpu = process.cpuUsage(cpuBase);
      const wallMs = performance.now() - wallBase;
      return {
        statements,
        cpuMs: (cpu.user + cpu.system) / 1000,
        wallMs,
        loopDelayMs: { p50: loopDelay.percentile(50) / 1e6, p99: loopDelay.percentile(99) / 1e6, max: loopDelay.max / 1e6 },
        gcMs: { ...gcPauses },
        memory: memory(!!message.gc),
      };
    }
    case 'attribute': {
      const recorded = attribution;
      if (message.on) attribution = { requests: [], background: 0 };
      else {
        attribution = null;
        requestScope.disable();
      }
      return recorded ? { requests: recorded.requests, background: recorded.background } : { requests: [], background: 0 };
    }
    case 'capture': {
      const recorded = capture;
      capture = message.on ? [] : null;
      // Capturing needs to know which request a statement belongs to.
      if (message.on) attribution ??= { requests: [], background: 0 };
      else if (attribution) {
        attribution = null;
        requestScope.disable();
      }
      return { statements: recorded ?? [] };
    }
    case 'heapsnapshot': {
      if (typeof global.gc === 'function') global.gc();
      return { file: require('node:v8').writeHeapSnapshot(message.file) };
    }
    case 'profile':
      if (message.on) {
        await startProfile(message.kind);
        return { ok: true };
      }
      return { file: await stopProfile(message.file) };
    default:
      return { error: `unknown probe command ${message.probe}` };
  }
}

if (typeof process.send === 'function') {
  process.on('message', (message) => {
    if (!message || typeof message !== 'object' || !message.probe) return;
    answer(message).then(
      (result) => process.send({ probeReply: message.id, result }),
      (error) => process.send({ probeReply: message.id, result: { error: String(error && error.stack ? error.stack : error) } }),
    );
  });
  // The IPC channel must not keep a server alive once it was asked to stop.
  process.channel && process.channel.unref();
}
