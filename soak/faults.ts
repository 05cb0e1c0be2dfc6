// Each store's backing service for the soak, and the failures inflicted on it mid-run: a private Redis paused and
// shut down, a private PostgreSQL stopped, a second LMDB writer killed. Each failure is logged as a time window.
import { join } from 'node:path';
import { startWorker, type Worker } from '../test/stores/fixtures/lmdb-process.js';
import { startPostgres } from '../test/stores/support/postgres-process.js';
import { removeDir, run, tempDir } from '../test/stores/support/processes.js';
import { startRedis } from '../test/stores/support/redis-process.js';
import type { StoreKind } from './protocol.js';

/** A span of time (Date.now() ms) in which the store was failing on purpose, plus what happened. */
export interface FaultWindow {
  what: string;
  from: number;
  /** When the store was back (a failed request that started before this is expected). */
  to: number;
}

/** What a fault schedule needs from the run. */
export interface FaultContext {
  /** Date.now() at which the load started, and its length in ms. */
  start: number;
  duration: number;
  windows: FaultWindow[];
  /** Set when the run ends early: schedules finish their current step and leave the store running. */
  stop: { now: boolean };
  /** Counters a schedule reports (writer kills, writer commits). */
  notes: Map<string, number>;
}

/** A store's backing service, started for one soak run. */
export interface StoreHarness {
  /** Environment for the server child (which store, where). */
  env: Record<string, string>;
  /** Whether the store keeps sessions across a restart of the server (checked again through a fresh server). */
  durable: boolean;
  /** Inflicts this store's failures during the run; resolves with the store running again. */
  faults(context: FaultContext): Promise<void>;
  /** Stops whatever the harness started and removes its temporary files. */
  dispose(): Promise<void>;
}

/** Resolves `ms` after now, or at once when the run is stopping. */
async function sleep(ms: number, stop: { now: boolean }): Promise<void> {
  const until = Date.now() + ms;
  while (!stop.now && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, Math.min(100, until - Date.now())));
}

/** Sleeps until `fraction` of the run has passed. */
const at = (context: FaultContext, fraction: number) => sleep(context.start + context.duration * fraction - Date.now(), context.stop);

/** Runs `fail` (the store goes away) then `recover` (it is back), logging the window between. */
async function window(context: FaultContext, what: string, fail: () => Promise<void>, downFor: number, recover: () => Promise<void>): Promise<void> {
  const entry: FaultWindow = { what, from: Date.now(), to: Number.POSITIVE_INFINITY };
  context.windows.push(entry);
  try {
    await fail();
    await sleep(downFor, context.stop);
  } finally {
    await recover();
    entry.to = Date.now();
  }
}

/** Starts the service a store needs. */
export async function startHarness(kind: StoreKind): Promise<StoreHarness> {
  switch (kind) {
    case 'memory':
      return { env: { SOAK_STORE: 'memory' }, durable: false, faults: async () => {}, dispose: async () => {} };
    case 'lmdb':
      return disposeOnce(await lmdbHarness());
    case 'redis':
      return disposeOnce(await redisHarness());
    case 'postgres':
      return disposeOnce(await postgresHarness());
  }
}

/**
 * Disposes once, and only after the fault schedule has finished: a schedule interrupted mid-outage
 * restarts the service, which must not happen after (or while) it is stopped for good.
 */
function disposeOnce(harness: StoreHarness): StoreHarness {
  let running: Promise<void> = Promise.resolve();
  let disposing: Promise<void> | undefined;
  return {
    ...harness,
    faults: (context) => (running = harness.faults(context)),
    dispose: () => (disposing ??= running.catch(() => {}).then(() => harness.dispose())),
  };
}

async function lmdbHarness(): Promise<StoreHarness> {
  const dir = await tempDir('soak-lmdb');
  const path = join(dir, 'sessions');
  let writer: Worker | undefined;
  const killWriter = async () => {
    if (writer === undefined) return;
    writer.child.kill('SIGKILL');
    await writer.exited;
    writer = undefined;
  };
  return {
    env: { SOAK_STORE: 'lmdb', SOAK_LMDB_PATH: path },
    durable: true,
    // A second process commits sessions into the same environment non-stop and is SIGKILLed mid-write,
    // again and again: the server must notice nothing (LMDB's locks survive a dead writer).
    async faults(context) {
      await at(context, 0.1);
      while (!context.stop.now && Date.now() < context.start + context.duration * 0.8) {
        writer = startWorker('stream', path);
        const started = writer;
        await started.line(); // ready
        void drain(started, context.notes);
        await sleep(1000 + Math.random() * 2000, context.stop);
        await killWriter();
        context.notes.set('writer kills', (context.notes.get('writer kills') ?? 0) + 1);
        await sleep(300, context.stop);
      }
    },
    async dispose() {
      await killWriter();
      await removeDir(dir);
    },
  };
}

/** Reads the writer's `ack` lines as they come (so they do not pile up) and counts them. */
async function drain(writer: Worker, notes: Map<string, number>): Promise<void> {
  try {
    for (;;) {
      if ((await writer.line()).startsWith('ack ')) notes.set('writer commits', (notes.get('writer commits') ?? 0) + 1);
    }
  } catch {
    // the writer was killed
  }
}

async function redisHarness(): Promise<StoreHarness> {
  const server = await startRedis();
  return {
    env: { SOAK_STORE: 'redis', SOAK_REDIS_PORT: String(server.port) },
    durable: true,
    async faults(context) {
      const d = context.duration;
      // A hang: the process is frozen, connections stay open and nothing answers.
      await at(context, 0.2);
      if (context.stop.now) return;
      await window(
        context,
        'redis frozen (SIGSTOP)',
        () => server.pause(),
        d * 0.12,
        () => server.resume(),
      );
      // An outage: a clean shutdown that saves, so acknowledged writes must survive it (a Redis
      // without persistence killed outright loses everything by design, sessionkit or not).
      await at(context, 0.45);
      if (context.stop.now) return;
      await window(
        context,
        'redis shut down',
        async () => {
          await run('redis-cli', ['-p', String(server.port), 'shutdown', 'save']).catch(() => {}); // the connection drops as it shuts down
          await server.stop(); // waits until it no longer answers
        },
        d * 0.12,
        () => server.start(),
      );
    },
    async dispose() {
      await server.resume().catch(() => {});
      await server.dispose();
    },
  };
}

async function postgresHarness(): Promise<StoreHarness> {
  const server = await startPostgres();
  return {
    env: { SOAK_STORE: 'postgres', SOAK_PG_PORT: String(server.port) },
    durable: true,
    async faults(context) {
      const d = context.duration;
      for (const fraction of [0.2, 0.45]) {
        await at(context, fraction);
        if (context.stop.now) return;
        await window(
          context,
          'postgres stopped (fast shutdown)',
          () => server.stop(),
          d * 0.1,
          () => server.start(),
        );
      }
    },
    async dispose() {
      await server.dispose();
    },
  };
}
