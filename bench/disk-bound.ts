// The LMDB disk bound: plain lmdb-js `put`s of the record LmdbStore writes for the seed's /put, awaited N in flight.
// Usage: node --import tsx bench/disk-bound.ts --seconds 4 [--concurrency 64]; prints one LoadResult as JSON.
// No sessionkit code runs in the timed loop: it is what the disk and lmdb-js allow, the ceiling of /put on LmdbStore.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { open } from 'lmdb';
import { LmdbStore } from '../native-store/index.js';
import { SessionManager } from '../src/index.js';
import type { LoadResult } from './load.js';

const args = process.argv.slice(2);
const flag = (name: string, fallback: number): number => {
  const i = args.indexOf(name);
  return i === -1 ? fallback : Number(args[i + 1]);
};
const seconds = flag('--seconds', 4);
const concurrency = flag('--concurrency', 64);

/** The exact bytes LmdbStore stores for the seed's session: written through the store, read back raw. */
async function seedRecord(dir: string): Promise<{ token: string; record: Uint8Array }> {
  const store = new LmdbStore({ path: dir, sweepInterval: 0 });
  const manager = new SessionManager<{ message: string }>({ store });
  const session = await manager.load();
  session.put('message', 'Hello from a session!');
  const { token } = await manager.commit(session);
  await store.close();
  const root = open({ path: dir });
  const records = root.openDB<Uint8Array, string>('sessionkit:sessions', { encoding: 'binary' });
  const raw = records.getBinary(token);
  await root.close();
  if (raw === undefined) throw new Error('disk bound: the seed record was not found where LmdbStore keeps it');
  return { token, record: Uint8Array.from(raw) };
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
}

async function main(): Promise<LoadResult> {
  const base = mkdtempSync(join(tmpdir(), 'sessionkit-bench-bound-'));
  try {
    const { token, record } = await seedRecord(join(base, 'store'));
    // lmdb-js defaults, as LmdbStore opens its path by default: each batch commit waits for the disk.
    const db = open<Uint8Array, string>({ path: join(base, 'bound'), encoding: 'binary' });
    await db.put(token, record);
    let latencies = new Float64Array(1 << 18);
    let count = 0;
    const deadline = performance.now() + seconds * 1000;
    // Like the HTTP load: `concurrency` clients, each sending the next write when the last one is done,
    // all to the same key (every connection of the load carries the same cookie).
    const client = async (): Promise<void> => {
      while (performance.now() < deadline) {
        const started = performance.now();
        await db.put(token, record);
        if (count === latencies.length) {
          const grown = new Float64Array(latencies.length * 2);
          grown.set(latencies);
          latencies = grown;
        }
        latencies[count++] = performance.now() - started;
      }
    };
    const started = performance.now();
    await Promise.all(Array.from({ length: concurrency }, client));
    const elapsed = (performance.now() - started) / 1000;
    await db.close();
    const sorted = latencies.subarray(0, count).sort();
    return {
      rps: count / elapsed,
      p50: percentile(sorted, 0.5),
      p99: percentile(sorted, 0.99),
      errors: 0,
      non2xx: 0,
      generatorCpu: Number.NaN,
      requests: count,
    };
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
}

main().then(
  (result) => {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    process.exit(0);
  },
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
