// uWS + sessionkit on an LmdbStore filled with FILL sessions of the seed's record (and EXPIRED about to expire),
// for the scale suite. Writes COOKIES_FILE (every live session) and HOT_FILE (the first HOT of them).
// Control routes: /__stats (the fill), /__measure?sweep=0|1&ms=N (probe writes, and the sweep), /__result.
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import uWS from 'uWebSockets.js';
import { LmdbStore } from '../../native-store/index.js';
import { uwsSessions } from '../../src/adapters/uws.js';
import { SessionManager } from '../../src/index.js';
import { generateToken } from '../../src/token.js';

const port = Number(process.env.PORT ?? 4000);
const dataDir = process.env.DATA_DIR!;
const fill = Number(process.env.FILL ?? 1_000_000);
const expired = Number(process.env.EXPIRED ?? 100_000);
const hot = Number(process.env.HOT ?? 1000);
const path = join(dataDir, 'sessions');
// The sweep runs only when the suite asks for it, so the expired sessions wait for the measured sweep.
const store = new LmdbStore({ path, sweepInterval: 0 });
const manager = new SessionManager<{ message: string }>({ store });
const lifetime = 24 * 60 * 60 * 1000;

/** Commits `count` sessions of the seed's record, `inFlight` at a time (lmdb-js batches them); returns their tokens. */
async function commitMany(count: number, expiresIn: number, keep: boolean): Promise<string[]> {
  const tokens: string[] = [];
  const inFlight = 10_000;
  for (let done = 0; done < count; done += inFlight) {
    const pending: Promise<void>[] = [];
    const expiresAt = Date.now() + expiresIn;
    for (let k = done; k < Math.min(count, done + inFlight); k++) {
      const token = generateToken();
      if (keep) tokens.push(token);
      pending.push(store.commit(token, manager.codec.encode(expiresAt, new Map([['message', 'Hello from a session!']])), expiresAt));
    }
    await Promise.all(pending);
  }
  return tokens;
}

function fileSize(): number {
  const stat = statSync(path);
  return stat.isDirectory() ? statSync(join(path, 'data.mdb')).size : stat.size;
}

const fillStarted = performance.now();
const tokens = await commitMany(fill, lifetime, true);
const stats = { sessions: fill, fillMs: performance.now() - fillStarted, fileBytes: fileSize() };
writeFileSync(process.env.COOKIES_FILE!, `${tokens.map((t) => `session=${t}`).join('\n')}\n`);
writeFileSync(
  process.env.HOT_FILE!,
  `${tokens
    .slice(0, hot)
    .map((t) => `session=${t}`)
    .join('\n')}\n`,
);
tokens.length = 0;
// Expired by the time the suite measures the sweep (the hot and uniform loads run first).
await commitMany(expired, 1000, false);

interface Measure {
  sweep: boolean;
  deleted: number;
  sweepMs: number;
  probes: number;
  probeMaxMs: number;
  probeP99Ms: number;
  eventLoopMaxMs: number;
}
let result: Measure | undefined;

/**
 * Probe writes (one small commit awaited after another) for at least `ms`, and, with `sweep`, the sweep
 * meanwhile. A probe waits for any write transaction in progress, so its longest latency bounds the
 * longest write-lock hold from above (plus one commit of its own).
 */
async function measure(sweep: boolean, ms: number): Promise<Measure> {
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  const probe = generateToken();
  const bytes = manager.codec.encode(Date.now() + lifetime, new Map([['message', 'probe']]));
  const latencies: number[] = [];
  const started = performance.now();
  let sweepMs = 0;
  let deleted = 0;
  const sweeping = sweep
    ? store.sweep().then(
        (n) => {
          deleted = n;
          sweepMs = performance.now() - started;
        },
        (error: unknown) => console.error('scale peer: the sweep failed', error),
      )
    : Promise.resolve();
  let done = false;
  void sweeping
    .then(() => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms - (performance.now() - started)))))
    .then(() => {
      done = true;
    });
  while (!done) {
    const t = performance.now();
    await store.commit(probe, bytes, Date.now() + lifetime);
    latencies.push(performance.now() - t);
  }
  loop.disable();
  latencies.sort((a, b) => a - b);
  return {
    sweep,
    deleted,
    sweepMs,
    probes: latencies.length,
    probeMaxMs: latencies.at(-1) ?? Number.NaN,
    probeP99Ms: latencies[Math.floor(latencies.length * 0.99)] ?? Number.NaN,
    eventLoopMaxMs: loop.max / 1e6,
  };
}

const withSession = uwsSessions(manager);
uWS
  .App()
  .get(
    '/get',
    withSession((res, _req, session) => {
      res.writeHeader('Content-Type', 'text/plain; charset=utf-8').end(session.getString('message'));
    }),
  )
  .get('/__stats', (res) => {
    res.writeHeader('Content-Type', 'application/json').end(JSON.stringify(stats));
  })
  .get('/__measure', (res, req) => {
    const sweep = req.getQuery('sweep') === '1';
    const ms = Number(req.getQuery('ms') ?? 1000);
    result = undefined;
    void measure(sweep, ms).then((m) => (result = m));
    res.end('started');
  })
  .get('/__result', (res) => {
    if (result === undefined) res.writeStatus('204 No Content').end();
    else res.writeHeader('Content-Type', 'application/json').end(JSON.stringify(result));
  })
  .listen('127.0.0.1', port, (socket) => {
    if (!socket) process.exit(1);
    console.log('ready');
  });

for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => process.exit(0));
