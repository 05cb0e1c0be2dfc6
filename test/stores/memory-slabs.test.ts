// MemoryStore's slabs: sessions packed into shared slabs stay intact whatever is written after them, a
// moved session is reported to onDrop, and the slabs never keep much more than the live bytes alive.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../../src/index.js';
import { later } from '../support/time.js';

const SLAB = 64 * 1024;
/** Bytes that tell token and version apart: both at the front, then a fill of their own. */
const record = (token: number, version: number, length: number): Uint8Array => {
  const bytes = new Uint8Array(length).fill((token * 31 + version * 7) & 0xff);
  const head = [token >> 8, token & 0xff, version >> 8, version & 0xff];
  bytes.set(head.slice(0, length));
  return bytes;
};

describe('MemoryStore slabs', () => {
  it('keeps every session intact, and dead space in the slabs under 512 bytes per stored session, whatever the order of writes', () => {
    let slabsUsed = 0;
    let moved = 0;
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            token: fc.nat({ max: 299 }),
            // Mostly small sessions, some up to a slab's limit of 1 KiB, a few past it.
            length: fc.oneof(
              { arbitrary: fc.integer({ min: 1, max: 300 }), weight: 6 },
              fc.integer({ min: 301, max: 1024 }),
              fc.integer({ min: 1025, max: 3000 }),
            ),
            remove: fc.boolean(),
          }),
          { minLength: 500, maxLength: 3000 },
        ),
        (writes) => {
          const store = new MemoryStore({ sweepInterval: 0, maxEntries: 100_000, maxBytes: 1 << 30 });
          const model = new Map<string, Uint8Array>();
          let writing = '';
          store.onDrop((token) => {
            if (token !== writing) moved++;
          });
          writes.forEach(({ token, length, remove }, version) => {
            const key = `t${token}`;
            writing = key;
            if (remove) {
              store.delete(key);
              model.delete(key);
            } else {
              const bytes = record(token, version, length);
              store.commit(key, bytes, later());
              model.set(key, Uint8Array.from(bytes));
            }
          });
          const wrong = [...model].filter(([key, bytes]) => {
            const found = store.find(key);
            return found === undefined || Buffer.compare(found, bytes) !== 0;
          });
          expect(wrong.map(([key]) => key)).toEqual([]);
          expect(store.size).toBe(model.size);
          // Live bytes, 512 dead bytes per session, a tail under 1 KiB per 64 KiB slab, the current slab.
          expect(store.slabBytes).toBeLessThanOrEqual((store.bytes + 512 * store.size) * (SLAB / (SLAB - 1024)) + 2 * SLAB);
          slabsUsed = Math.max(slabsUsed, store.slabBytes / SLAB);
        },
      ),
      { numRuns: 25 },
    );
    // The runs filled more than one slab and moved sessions out of mostly dead ones.
    expect(slabsUsed).toBeGreaterThanOrEqual(2);
    expect(moved).toBeGreaterThan(100);
  });

  it('moves the live sessions out of a slab that is mostly dead, telling onDrop, and find then returns the moved copy', () => {
    const store = new MemoryStore({ sweepInterval: 0 });
    const dropped: [string, string][] = [];
    store.onDrop((token, _bytes, reason) => dropped.push([token, reason]));
    // 1,000-byte sessions: 65 fill the first slab; the 66th opens a second one.
    for (let i = 0; i < 66; i++) store.commit(`s${i}`, record(i, 0, 1000), later());
    const before = store.find('s0')!;
    const slabsBefore = store.slabBytes;
    // Deleting most of the first slab leaves more than 512 dead bytes per live session in it: its sessions are moved.
    for (let i = 1; i < 40; i++) store.delete(`s${i}`);
    const after = store.find('s0')!;
    expect(after).not.toBe(before);
    expect(after).toEqual(record(0, 0, 1000));
    expect(before).toEqual(record(0, 0, 1000)); // the old view keeps its bytes
    expect(dropped.filter(([token, reason]) => token === 's0' && reason === 'replaced')).toHaveLength(1);
    expect(store.slabBytes).toBeLessThan(slabsBefore + SLAB);
    for (let i = 40; i < 66; i++) expect(store.find(`s${i}`)).toEqual(record(i, 0, 1000));
  });
});
