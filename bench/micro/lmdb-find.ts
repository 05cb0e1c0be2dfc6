// CPU time of LmdbStore.find per request-like task (each find in its own microtask turn, several per
// event-loop turn, as uWS delivers requests), for `shared: true` and `shared: false`, interleaved.
// Usage: node --import tsx bench/micro/lmdb-find.ts [reps]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LmdbStore } from '../../native-store/lmdb-store.js';

const reps = Number(process.argv[2] ?? 9);
const TASKS_PER_TURN = 16;
const TURNS = 4000;
const dir = mkdtempSync(join(tmpdir(), 'sessionkit-lmdb-find-'));
const token = 'a'.repeat(43);
const stores = { shared: new LmdbStore({ path: dir, name: 'a' }), single: new LmdbStore({ path: dir, name: 'b', shared: false }) };
for (const store of Object.values(stores)) await store.commit(token, new Uint8Array(120).fill(7), Date.now() + 3_600_000);

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** CPU µs per task: `turns` event-loop turns of TASKS_PER_TURN tasks, each task one find (or none). */
async function run(find: (() => unknown) | undefined): Promise<number> {
  const start = process.cpuUsage();
  for (let i = 0; i < TURNS; i++) {
    for (let t = 0; t < TASKS_PER_TURN; t++) {
      if (find !== undefined && find() === undefined) throw new Error('not found');
      await undefined;
    }
    await turn();
  }
  const used = process.cpuUsage(start);
  return ((used.user + used.system) * 1000) / (TURNS * TASKS_PER_TURN);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1] ?? Number.NaN;
const rows = { empty: [] as number[], shared: [] as number[], single: [] as number[] };
for (let r = 0; r < reps + 1; r++) {
  const empty = await run(undefined);
  const shared = await run(() => stores.shared.find(token));
  const single = await run(() => stores.single.find(token));
  if (r === 0) continue; // warm-up
  rows.empty.push(empty);
  rows.shared.push(shared - empty);
  rows.single.push(single - empty);
}
for (const [name, xs] of Object.entries(rows)) {
  console.log(`${name.padEnd(7)} median ${median(xs).toFixed(0)} ns/find (min ${Math.min(...xs).toFixed(0)}, max ${Math.max(...xs).toFixed(0)})`);
}
for (const store of Object.values(stores)) await store.close();
rmSync(dir, { recursive: true, force: true });
