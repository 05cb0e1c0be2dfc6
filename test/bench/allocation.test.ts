// The guarded hot path: the read and write cycles on MemoryStore must not allocate more than their budgets.
// Measured by the bench's allocation child (heap growth over many ops with a young generation large enough
// that no GC runs), so the figures do not depend on how busy the machine is.
import { beforeAll, describe, expect, it } from 'vitest';
import type { AllocResult } from '../../bench/cycle-child.js';
import { READ_CYCLE_BUDGET, writeCycleBudget } from '../../bench/cycle-cases.js';
import { ALLOC_FLAGS, runCycleChild } from '../../bench/cycle-run.js';

describe('allocation guard (MemoryStore)', () => {
  const figures = new Map<string, AllocResult>();

  beforeAll(async () => {
    const result = await runCycleChild(['--store', 'memory', '--mode', 'alloc', '--cases', 'read,write'], ALLOC_FLAGS);
    if (result.kind !== 'alloc') throw new Error(`the allocation child answered ${result.kind}`);
    for (const r of result.results) figures.set(r.id, r);
  }, 90_000);

  /** The case's bytes per op, from a run without a GC (a GC during the ops would hide allocation). */
  const bytesPerOp = (id: string): number => {
    const figure = figures.get(id);
    expect(figure, `${id} cycle measured`).toBeDefined();
    expect(figure!.gcs, `GCs during the ${id} cycle's measured ops`).toBe(0);
    return figure!.bytesPerOp;
  };

  it(`the read cycle (load + get) allocates at most ${READ_CYCLE_BUDGET} B/op`, () => {
    expect(bytesPerOp('read')).toBeLessThanOrEqual(READ_CYCLE_BUDGET);
  });

  it(`the write cycle (load + put + commit) allocates at most 1 KiB beyond the encoded record (${writeCycleBudget()} B/op)`, () => {
    expect(bytesPerOp('write')).toBeLessThanOrEqual(writeCycleBudget());
  });
});
