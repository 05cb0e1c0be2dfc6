// One cycle-suite child: times (tinybench) or measures allocation of the cases of one store, or of the floors.
// Usage: node --import tsx bench/cycle-child.ts --store memory|lmdb|... | --floors  --mode time|alloc  [--quick] [--cases id,id]
// Prints progress on stderr and one `@@RESULT <json>` line on stdout.
import { PerformanceObserver } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';
import { Bench } from 'tinybench';
import { MemoryStore } from '../src/memory-store.js';
import { crowdedReadCase, floorCases, observedCases, sessionCases, type CycleCase } from './cycle-cases.js';
import { openStore, STORE_NAMES, type StoreName } from './stores.js';

export interface TimeResult {
  id: string;
  label: string;
  opsPerSec: number;
  nsPerOp: number;
  /** relative margin of error, % */
  rme: number;
  async: boolean;
  /** ops in flight at once (1 = one after another) */
  concurrency: number;
}

export interface AllocResult {
  id: string;
  label: string;
  bytesPerOp: number;
  ops: number;
  gcs: number;
  async: boolean;
}

export type ChildResult =
  | { kind: 'time'; subject: string; results: TimeResult[] }
  | { kind: 'alloc'; subject: string; results: AllocResult[]; baselineBytesPerOp: number }
  | { kind: 'skip'; subject: string; reason: string };

const args = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i === -1 ? undefined : args[i + 1];
};
const quick = args.includes('--quick');
const mode = flag('--mode') === 'alloc' ? 'alloc' : 'time';
const storeName = flag('--store') as StoreName | undefined;
const subject = args.includes('--floors') ? 'floors' : (storeName ?? 'memory');
/** Only these case ids (all when absent). */
const only = flag('--cases')?.split(',');
const chosen = (cases: CycleCase[]): CycleCase[] => (only === undefined ? cases : cases.filter((c) => only.includes(c.id)));

function emit(result: ChildResult): void {
  process.stdout.write(`@@RESULT ${JSON.stringify(result)}\n`);
}

function isPromise(value: unknown): value is Promise<unknown> {
  return value instanceof Promise;
}

async function timeCases(cases: CycleCase[]): Promise<TimeResult[]> {
  const out: TimeResult[] = [];
  for (const c of cases) {
    const bench = new Bench({ time: quick ? 250 : 600, warmupTime: quick ? 100 : 200, iterations: 16 });
    const isAsync = isPromise(c.op()) ? (await c.op(), true) : false;
    // Sync ops: 256 per sample (timer overhead out of the figure). Async ops: 64 in flight per sample,
    // as 64 HTTP connections would keep them (an awaited-one-by-one LMDB put waits for a whole
    // commit each; in flight they share one). renew stays sequential: it rotates a single token.
    const concurrent = isAsync && c.id !== 'renew';
    const batch = !isAsync ? 256 : concurrent ? 64 : 8;
    const op = c.op;
    if (concurrent) {
      bench.add(c.id, async () => {
        const inFlight: unknown[] = [];
        for (let k = 0; k < batch; k++) inFlight.push(op());
        await Promise.all(inFlight);
      });
    } else if (isAsync) {
      bench.add(c.id, async () => {
        for (let k = 0; k < batch; k++) await op();
      });
    } else {
      bench.add(c.id, () => {
        for (let k = 0; k < batch; k++) op();
      });
    }
    await bench.run();
    const task = bench.tasks[0]!;
    const result = task.result as unknown as { latency?: { mean: number; rme?: number; moe?: number } };
    const latency = result.latency;
    if (latency === undefined) throw new Error(`tinybench gave no latency for ${task.name} (${JSON.stringify(task.result)})`);
    const nsPerOp = (latency.mean * 1e6) / batch;
    const rme = latency.moe !== undefined && latency.mean > 0 ? (latency.moe / latency.mean) * 100 : 0;
    out.push({ id: c.id, label: c.label, opsPerSec: 1e9 / nsPerOp, nsPerOp, rme, async: isAsync, concurrency: concurrent ? batch : 1 });
    process.stderr.write(`    ${subject}: ${c.id} ${nsPerOp.toFixed(0)} ns/op\n`);
  }
  return out;
}

declare const gc: (() => void) | undefined;

/** Allocation runs per case; the least is reported. */
const ALLOC_ROUNDS = 3;
/** Bytes a sync case may allocate in one run. */
const ALLOC_BUDGET = 24 * 1024 * 1024;

async function allocCases(cases: CycleCase[]): Promise<{ results: AllocResult[]; baseline: number }> {
  if (typeof gc !== 'function') throw new Error('the alloc child needs --expose-gc');
  let gcs = 0;
  const observer = new PerformanceObserver((list) => {
    gcs += list.getEntries().length;
  });
  observer.observe({ entryTypes: ['gc'] });
  const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 20));

  const measure = async (op: () => unknown, isAsync: boolean, ops: number): Promise<{ bytes: number; gcs: number }> => {
    const warm = Math.min(ops * 2, 20_000); // enough for the JIT to settle before the heap is read
    if (isAsync) for (let k = 0; k < warm; k++) await op();
    else for (let k = 0; k < warm; k++) op();
    await settle();
    gc!();
    gc!();
    await settle();
    const before = gcs;
    let heapBefore: number;
    let heapAfter: number;
    if (isAsync) {
      heapBefore = getHeapStatistics().used_heap_size;
      for (let k = 0; k < ops; k++) await op();
      heapAfter = getHeapStatistics().used_heap_size;
    } else {
      heapBefore = getHeapStatistics().used_heap_size;
      for (let k = 0; k < ops; k++) op();
      heapAfter = getHeapStatistics().used_heap_size;
    }
    await settle();
    return { bytes: (heapAfter - heapBefore) / ops, gcs: gcs - before };
  };

  const noop = (): unknown => undefined;
  const baseline = (await measure(noop, false, 10_000)).bytes;
  const results: AllocResult[] = [];
  for (const c of cases) {
    const isAsync = isPromise(c.op()) ? (await c.op(), true) : false;
    let ops = isAsync ? (quick ? 300 : 1_000) : quick ? 5_000 : 20_000;
    let m = await measure(c.op, isAsync, ops);
    // A sync op that allocates little is run more often, up to about 24 MB in all (the young
    // generation holds that without a GC), so that one-off JIT allocations weigh less per op.
    if (!isAsync && !quick && m.gcs === 0) {
      ops = Math.min(200_000, Math.max(ops, Math.floor(ALLOC_BUDGET / Math.max(m.bytes, 1))));
      m = await measure(c.op, isAsync, ops);
    }
    // JIT compilation during a run adds heap that no op allocated, never removes any: the least of
    // three runs is the steady state.
    for (let round = 1; round < ALLOC_ROUNDS; round++) {
      const again = await measure(c.op, isAsync, ops);
      if (again.gcs === 0 && (again.bytes < m.bytes || m.gcs > 0)) m = again;
    }
    process.stderr.write(`    ${subject}: ${c.id} ${m.bytes.toFixed(0)} B/op${m.gcs > 0 ? ` (${m.gcs} GC ran: figure not trustworthy)` : ''}\n`);
    results.push({ id: c.id, label: c.label, bytesPerOp: m.bytes, ops, gcs: m.gcs, async: isAsync });
  }
  observer.disconnect();
  return { results, baseline };
}

async function main(): Promise<void> {
  let cases: CycleCase[];
  let close = async (): Promise<void> => undefined;
  let later = async (): Promise<CycleCase[]> => [];
  let observed = async (): Promise<CycleCase[]> => [];
  if (subject === 'floors') {
    cases = await floorCases();
  } else {
    if (!STORE_NAMES.includes(subject as StoreName)) throw new Error(`unknown store ${subject}`);
    const opened = await openStore(subject as StoreName);
    if ('skip' in opened) {
      emit({ kind: 'skip', subject, reason: opened.skip });
      return;
    }
    close = opened.close;
    cases = await sessionCases(opened.store);
    // The new-session cycle grows the store, so it runs last; the crowded read gets a store of its own.
    cases.push(
      ...cases.splice(
        cases.findIndex((c) => c.id === 'new'),
        1,
      ),
    );
    // The crowded read gets a store of its own, filled only after the other cases ran (a heap
    // holding 100k sessions slows every case, so it must not be there while they run).
    if (subject === 'memory') later = async () => [await crowdedReadCase(new MemoryStore({ sweepInterval: 0 }), 99_999)];
    // Subscribing is for the rest of the process: these run last.
    const store = opened.store;
    observed = () => observedCases(store);
  }
  if (only !== undefined && !only.includes('read-crowded')) later = async () => [];
  cases = chosen(cases);
  try {
    if (mode === 'time') {
      const results = await timeCases(cases);
      results.push(...(await timeCases(chosen(await later()))));
      results.push(...(await timeCases(chosen(await observed()))));
      emit({ kind: 'time', subject, results });
    } else {
      const { results, baseline } = await allocCases(cases);
      results.push(...(await allocCases(chosen(await later()))).results);
      results.push(...(await allocCases(chosen(await observed()))).results);
      emit({ kind: 'alloc', subject, results, baselineBytesPerOp: baseline });
    }
  } finally {
    await close();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
