// `npm run soak`: the uWS example under many keep-alive clients, store by store, while each store fails and recovers.
// Then, store by store, hostile clients: request-sized session values, same-tick commit storms, concurrent logins.
// With redis among the stores, last: RedisStore's near cache on two app nodes under Redis faults (soak/near-cache.ts).
// Usage: npm run soak -- [--store memory,lmdb,redis,postgres] [--seconds 60] [--clients 64] [--max-requests N]
//                        [--hostile-seconds 20] [--hostile-only | --no-hostile] [--no-near-cache]
import { spawn } from 'node:child_process';
import { Agent } from 'node:http';
import { parseArgs } from 'node:util';
import { newStats, runLoad, SoakClient, verify, type LoadStats } from './clients.js';
import { startHarness, type FaultContext, type StoreHarness } from './faults.js';
import { hostilePhase } from './hostile-phase.js';
import { type HostileSummary, hostileReport, summaryTable } from './hostile-report.js';
import { STORE_KINDS, STORE_TIMEOUT, type StoreKind } from './protocol.js';
import { report, type StoreResult } from './report.js';
import { startServer, type ServerProcess } from './server-process.js';

const GRACE = 3000;
const LATE_AFTER = 5 * STORE_TIMEOUT;
const GIVE_UP_AFTER = 15_000;
const PROGRESS_EVERY = 10_000;

const USAGE = `npm run soak -- [options]
  --store LIST            stores to soak, comma separated: ${STORE_KINDS.join(', ')} (default: all)
  --seconds N             length of each store's load phase, with its store failures (default 60)
  --clients N             keep-alive clients in the load phase (default 64)
  --max-requests N        stop each load phase after N requests
  --hostile-seconds N     seconds of request-sized values in each store's hostile phase (default 20),
                          followed by the commit storms and concurrent logins
  --hostile-only          run only the hostile phase
  --no-hostile            run only the load phase
  --no-near-cache         skip the near-cache phase (run when redis is among the stores: two app
                          nodes with RedisStore's near cache, on a private Redis and a Cluster,
                          under connection kills, a freeze, a restart and a failover)`;

interface Settings {
  stores: StoreKind[];
  seconds: number;
  clients: number;
  maxRequests: number;
  /** Run the load phase (with store failures), the hostile phase, or both. */
  load: boolean;
  hostile: boolean;
  hostileSeconds: number;
  nearCache: boolean;
}

function settings(): Settings {
  const { values } = parseArgs({
    options: {
      store: { type: 'string', default: STORE_KINDS.join(',') },
      seconds: { type: 'string', default: '60' },
      clients: { type: 'string', default: '64' },
      'max-requests': { type: 'string', default: '5000000' },
      'hostile-seconds': { type: 'string', default: '20' },
      'hostile-only': { type: 'boolean', default: false },
      'no-hostile': { type: 'boolean', default: false },
      'no-near-cache': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  if (values['hostile-only'] && values['no-hostile']) throw new Error('--hostile-only and --no-hostile: give one of them');
  const stores = values.store.split(',').map((name) => name.trim());
  for (const name of stores) {
    if (!(STORE_KINDS as readonly string[]).includes(name)) throw new Error(`--store: unknown store ${name}; use ${STORE_KINDS.join(', ')}`);
  }
  const whole = (text: string, name: string, max: number) => {
    const n = Number(text);
    if (!Number.isSafeInteger(n) || n < 1 || n > max) throw new Error(`--${name} must be a whole number from 1 to ${max}`);
    return n;
  };
  return {
    stores: stores as StoreKind[],
    seconds: whole(values.seconds, 'seconds', 3600),
    clients: whole(values.clients, 'clients', 1000),
    maxRequests: whole(values['max-requests'], 'max-requests', 100_000_000),
    load: !values['hostile-only'],
    hostile: !values['no-hostile'],
    hostileSeconds: whole(values['hostile-seconds'], 'hostile-seconds', 3600),
    nearCache: !values['no-near-cache'] && !values['hostile-only'] && stores.includes('redis'),
  };
}

/** Things to undo if the run is interrupted: stopped in reverse order. */
const cleanups = new Set<() => unknown>();
const stop = { now: false };
/** Set on Ctrl-C: the cleanup under way, which the process waits for before it exits. */
let interrupted: Promise<void> | undefined;

async function cleanUp(): Promise<void> {
  for (const cleanup of [...cleanups].reverse()) {
    try {
      await cleanup();
    } catch (error) {
      console.error('soak: cleanup failed:', error);
    }
  }
  cleanups.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  if (stop.now) process.exit(130); // a second Ctrl-C: leave at once
  stop.now = true;
  console.log(`\nsoak: ${signal}: stopping, cleaning up...`);
  interrupted = cleanUp();
  void interrupted.finally(() => process.exit(130));
}

function progress(store: string, start: number, stats: LoadStats, server: ServerProcess, context: FaultContext): () => void {
  let previous = 0;
  const timer = setInterval(() => {
    const now = Date.now();
    const open = context.windows.find((w) => w.to > now);
    const outcomes = [...stats.outcomes].map(([label, n]) => `${label}: ${n}`).join(', ');
    const rate = Math.round((stats.requests - previous) / (PROGRESS_EVERY / 1000));
    previous = stats.requests;
    console.log(
      `[${store} ${Math.round((now - start) / 1000)} s] ${stats.requests} requests (${rate}/s); ${outcomes}; ` +
        `RSS ${Math.round(server.rss.last / 1048576)} MiB; store ${open === undefined ? 'up' : `failing: ${open.what}`}`,
    );
  }, PROGRESS_EVERY);
  return () => clearInterval(timer);
}

/** Starts a server on the same store, checks every session through it, stops it. */
async function checkThroughFreshServer(harness: StoreHarness, clients: SoakClient[]) {
  const fresh = await startServer(harness.env);
  cleanups.add(fresh.kill);
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  try {
    return await verify(agent, fresh.port, clients, GIVE_UP_AFTER);
  } finally {
    agent.destroy();
    await fresh.stop();
    cleanups.delete(fresh.kill);
  }
}

async function soak(kind: StoreKind, options: Settings): Promise<StoreResult> {
  console.log(`soak: ${kind}: starting the store and the server...`);
  const harness = await startHarness(kind);
  cleanups.add(harness.dispose);
  try {
    const server = await startServer(harness.env);
    cleanups.add(server.kill);
    const agent = new Agent({ keepAlive: true, maxSockets: options.clients });
    const clients = Array.from({ length: options.clients }, () => new SoakClient());
    const stats = newStats();
    const duration = options.seconds * 1000;
    const start = Date.now();
    const runStop = { now: false };
    const either = {
      get now() {
        return runStop.now || stop.now;
      },
    };
    const context: FaultContext = { start, duration, windows: [], stop: either, notes: new Map() };
    void server.exited.then(() => {
      if (server.crash !== undefined) runStop.now = true; // a crash ends this store's run; the report says so
    });
    const stopProgress = progress(kind, start, stats, server, context);
    const faults = harness.faults(context);
    await runLoad({
      agent,
      port: server.port,
      clients,
      stats,
      until: start + duration,
      maxRequests: options.maxRequests,
      lateAfter: LATE_AFTER,
      giveUpAfter: GIVE_UP_AFTER,
      stop: either,
    });
    const end = Date.now();
    runStop.now = true; // a failure still in progress ends now: the store is brought back
    await faults;
    stopProgress();
    if (stop.now) throw new Error('interrupted');
    const live = server.crash === undefined ? await verify(agent, server.port, clients, GIVE_UP_AFTER) : undefined;
    agent.destroy();
    const rssEnd = server.rss.last;
    const shutdown = server.crash === undefined ? await server.stop() : undefined;
    cleanups.delete(server.kill);
    const fresh = harness.durable && server.crash === undefined ? await checkThroughFreshServer(harness, clients) : undefined;
    return {
      store: kind,
      seconds: options.seconds,
      clients: options.clients,
      stats,
      windows: context.windows,
      notes: context.notes,
      grace: GRACE,
      start,
      end,
      lateAfter: LATE_AFTER,
      live,
      fresh,
      crash: server.crash,
      crashOutput: server.crash === undefined ? '' : server.stderr,
      rss: { start: server.rss.start, peak: server.rss.peak, end: rssEnd },
      shutdown,
    };
  } finally {
    await harness.dispose();
    cleanups.delete(harness.dispose);
  }
}

/** Runs one phase of one store, prints its report, and notes a failure; returns the report's lines. */
async function phase(
  kind: StoreKind,
  name: 'load' | 'hostile',
  failed: string[],
  run: () => Promise<{ lines: string[]; broken: string[] }>,
): Promise<string[]> {
  let lines: string[];
  try {
    const result = await run();
    lines = result.lines;
    if (result.broken.length > 0) failed.push(`${kind} ${name}`);
  } catch (error) {
    if (stop.now) return [];
    lines = [`== ${kind}: ${name} ==`, `  could not run: ${error instanceof Error ? error.message : String(error)}`];
    failed.push(`${kind} ${name}`);
  }
  console.log(lines.join('\n'));
  return lines;
}

async function main(): Promise<number> {
  const options = settings();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const phases = [
    options.load ? `load ${options.seconds} s with ${options.clients} clients` : '',
    options.hostile ? `hostile clients ${options.hostileSeconds} s` : '',
  ]
    .filter((text) => text !== '')
    .join(', then ');
  console.log(`soak: ${options.stores.join(', ')}; each store: ${phases}; loopback only`);
  const failed: string[] = [];
  const reports: string[][] = [];
  const hostileRows: HostileSummary[] = [];
  for (const kind of options.stores) {
    if (stop.now) break;
    if (options.load) reports.push(await phase(kind, 'load', failed, async () => report(await soak(kind, options))));
    if (stop.now || !options.hostile) continue;
    const lines = await phase(kind, 'hostile', failed, async () => {
      const result = hostileReport(await hostilePhase(kind, options.hostileSeconds, stop, cleanups));
      hostileRows.push(result.summary);
      return result;
    });
    reports.push(lines);
  }
  if (options.nearCache && !stop.now) {
    const seconds = Math.min(options.seconds, 30);
    console.log(`\nsoak: redis near cache: ${seconds} s on one Redis, then ${seconds} s on a Cluster...`);
    const code = await nearCachePhase(seconds);
    const line = code === 0 ? '== redis near cache: no stale read, no lost write ==' : `== redis near cache: FAILED (exit code ${code}) ==`;
    if (code !== 0) failed.push('redis near cache');
    reports.push([line]);
  }
  if (reports.length > 1) {
    console.log('\nsoak: summary');
    for (const lines of reports) console.log(lines.join('\n'));
  }
  if (hostileRows.length > 0) {
    console.log('\nsoak: hostile clients');
    console.log(summaryTable(hostileRows).join('\n'));
  }
  console.log(failed.length === 0 ? '\nsoak: PASS' : `\nsoak: FAIL (${failed.join(', ')})`);
  return failed.length === 0 ? 0 : 1;
}

/** Runs soak/near-cache.ts in a child process (its output goes straight through); resolves its exit code. */
function nearCachePhase(seconds: number): Promise<number> {
  return new Promise((resolve) => {
    const script = new URL('./near-cache.ts', import.meta.url).pathname;
    const child = spawn(process.execPath, [...process.execArgv, script, '--seconds', String(seconds)], { stdio: 'inherit' });
    const kill = () => child.kill('SIGTERM');
    cleanups.add(kill);
    child.on('close', (code) => {
      cleanups.delete(kill);
      resolve(code ?? 1);
    });
  });
}

main().then(
  async (code) => {
    if (interrupted !== undefined) await interrupted.then(() => process.exit(130));
    process.exit(code);
  },
  async (error: unknown) => {
    if (interrupted === undefined) console.error('soak:', error instanceof Error ? error.message : error);
    await (interrupted ?? cleanUp());
    process.exit(interrupted === undefined ? 2 : 130);
  },
);
