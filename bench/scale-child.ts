// One scale-suite child: bytes per session resident in MemoryStore, or the read cycle over a big LmdbStore.
// Usage: node --expose-gc --import tsx bench/scale-child.ts --memory N [--quick]
//        node --import tsx bench/scale-child.ts --lmdb PATH --cookies FILE --hot H [--quick]
// Prints one `@@RESULT <json>` line on stdout.
import { readFileSync } from 'node:fs';
import { LmdbStore } from '../native-store/index.js';
import { MemoryStore } from '../src/memory-store.js';
import { SessionManager } from '../src/manager.js';
import type { Session } from '../src/session.js';
import type { Store } from '../src/store.js';
import { generateToken } from '../src/token.js';

export interface ReadCycleFigure {
  id: 'memory-uniform' | 'lmdb-hot' | 'lmdb-uniform';
  nsPerOp: number;
  opsPerSec: number;
  /** sessions the reads pick from */
  pool: number;
}

export interface MemoryFigure {
  sessions: number;
  fillMs: number;
  heapBytesPerSession: number;
  rssBytesPerSession: number;
}

const args = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i === -1 ? undefined : args[i + 1];
};
const quick = args.includes('--quick');
const lifetime = 24 * 60 * 60 * 1000;
declare const gc: (() => void) | undefined;

function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 50));
}

async function collect(): Promise<{ heap: number; rss: number }> {
  for (let k = 0; k < 3; k++) {
    gc?.();
    await settle();
  }
  const usage = process.memoryUsage();
  return { heap: usage.heapUsed + usage.external, rss: usage.rss };
}

/**
 * The read cycle (load + get) over `tokens` picked by `next`, timed for a fixed wall time after a warm-up.
 * Reads are batched 256 per task, as in the cycle suite.
 */
async function readCycle(manager: SessionManager, next: () => string): Promise<{ nsPerOp: number; opsPerSec: number }> {
  const getMessage = (session: Session): unknown => session.get('message');
  const batch = (): void => {
    for (let k = 0; k < 256; k++) {
      const loaded = manager.loadNow(next());
      if (loaded instanceof Promise) throw new Error('scale: the read cycle expects a synchronous store');
      getMessage(loaded);
    }
  };
  const run = async (ms: number): Promise<number> => {
    let ops = 0;
    const end = performance.now() + ms;
    while (performance.now() < end) {
      batch();
      ops += 256;
      if ((ops & 0xfff) === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    return ops;
  };
  await run(quick ? 200 : 500);
  const started = performance.now();
  const ops = await run(quick ? 500 : 2000);
  const nsPerOp = ((performance.now() - started) * 1e6) / ops;
  return { nsPerOp, opsPerSec: 1e9 / nsPerOp };
}

async function memory(sessions: number): Promise<{ memory: MemoryFigure; cycle: ReadCycleFigure[] }> {
  // A generous options object: no bound of the store may evict during the fill.
  const options = { maxEntries: sessions * 4, maxBytes: Number.MAX_SAFE_INTEGER, sweepInterval: 0 };
  const store: Store = new MemoryStore(options);
  const manager = new SessionManager({ store });
  const before = await collect();
  const started = performance.now();
  for (let k = 0; k < sessions; k++) {
    const expiresAt = Date.now() + lifetime;
    const written = store.commit(generateToken(), manager.codec.encode(expiresAt, new Map([['message', 'Hello from a session!']])), expiresAt);
    if (written instanceof Promise) await written;
  }
  const fillMs = performance.now() - started;
  const after = await collect();
  const tokens: string[] = [];
  for await (const [token] of store.all!()) tokens.push(token);
  if (tokens.length !== sessions) throw new Error(`scale: MemoryStore kept ${tokens.length} of ${sessions} sessions`);
  const figure = {
    sessions,
    fillMs,
    heapBytesPerSession: (after.heap - before.heap) / sessions,
    rssBytesPerSession: (after.rss - before.rss) / sessions,
  };
  const uniform = await readCycle(manager, () => tokens[Math.floor(Math.random() * tokens.length)]!);
  return { memory: figure, cycle: [{ id: 'memory-uniform', ...uniform, pool: tokens.length }] };
}

async function lmdb(path: string, cookies: string, hot: number): Promise<{ cycle: ReadCycleFigure[] }> {
  const tokens = readFileSync(cookies, 'utf8')
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => l.slice('session='.length));
  const store = new LmdbStore({ path, sweepInterval: 0 });
  const manager = new SessionManager({ store });
  try {
    const hotSet = tokens.slice(0, hot);
    let i = 0;
    const hotRead = await readCycle(manager, () => hotSet[i++ % hotSet.length]!);
    const uniform = await readCycle(manager, () => tokens[Math.floor(Math.random() * tokens.length)]!);
    return {
      cycle: [
        { id: 'lmdb-hot', ...hotRead, pool: hotSet.length },
        { id: 'lmdb-uniform', ...uniform, pool: tokens.length },
      ],
    };
  } finally {
    await store.close();
  }
}

async function main(): Promise<unknown> {
  const sessions = flag('--memory');
  if (sessions !== undefined) return memory(Number(sessions));
  return lmdb(flag('--lmdb')!, flag('--cookies')!, Number(flag('--hot') ?? 1000));
}

main().then(
  (result) => {
    process.stdout.write(`@@RESULT ${JSON.stringify(result)}\n`);
    process.exit(0);
  },
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
