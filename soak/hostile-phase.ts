// The hostile-clients phase for one store: its own store service and server (hostile routes on), the clients, the result.
import { startHarness } from './faults.js';
import { type HostileResult, runHostile } from './hostile.js';
import type { MemoryBound, StoreKind } from './protocol.js';
import { startServer, type ServerShutdown } from './server-process.js';

/** Things to undo if the run is interrupted (the runner's list). */
export interface Cleanups {
  add(cleanup: () => unknown): void;
  delete(cleanup: () => unknown): void;
}

/** Everything measured in one store's hostile phase. */
export interface HostilePhaseResult {
  store: StoreKind;
  result: HostileResult | undefined;
  memory: MemoryBound;
  /** Anonymous RSS (bytes) when the server listened, its peak, and the whole RSS's peak. */
  anon: { start: number; peak: number };
  rssPeak: number;
  crash: string | undefined;
  crashOutput: string;
  shutdown: ServerShutdown | undefined;
}

/** Runs the hostile clients against a fresh server on `kind` for about `seconds` of blobs. */
export async function hostilePhase(kind: StoreKind, seconds: number, stop: { now: boolean }, cleanups: Cleanups): Promise<HostilePhaseResult> {
  console.log(`soak: ${kind}: hostile clients: starting the store and the server...`);
  const harness = await startHarness(kind);
  cleanups.add(harness.dispose);
  try {
    const server = await startServer({ ...harness.env, SOAK_HOSTILE: '1' });
    cleanups.add(server.kill);
    const phaseStop = { now: false };
    const either = {
      get now() {
        return phaseStop.now || stop.now;
      },
    };
    void server.exited.then(() => {
      if (server.crash !== undefined) phaseStop.now = true;
    });
    const log = (line: string) => console.log(`[${kind} hostile] ${line}; anonymous RSS ${Math.round(server.anon.last / 1048576)} MiB`);
    let result: HostileResult | undefined;
    try {
      result = await runHostile(server.port, seconds, either, log);
    } catch (error) {
      if (server.crash === undefined) throw error;
    }
    if (stop.now) throw new Error('interrupted');
    const shutdown = server.crash === undefined ? await server.stop() : undefined;
    cleanups.delete(server.kill);
    return {
      store: kind,
      result: server.crash === undefined ? result : undefined,
      memory: server.memory,
      anon: { start: server.anon.start, peak: server.anon.peak },
      rssPeak: server.rss.peak,
      crash: server.crash,
      crashOutput: server.crash === undefined ? '' : server.stderr,
      shutdown,
    };
  } finally {
    await harness.dispose();
    cleanups.delete(harness.dispose);
  }
}
