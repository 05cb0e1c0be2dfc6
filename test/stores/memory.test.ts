import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../../src/index.js';
import { storeConformance } from '../../src/testing/index.js';

storeConformance('MemoryStore', () => new MemoryStore());

describe('MemoryStore', () => {
  it('drops the least recently used entries past maxEntries, never more than it holds', () => {
    const store = new MemoryStore({ maxEntries: 6, sweepInterval: 0 });
    const later = Date.now() + 60_000;
    store.commit('a', Uint8Array.of(1), later);
    store.commit('b', Uint8Array.of(2), later);
    store.commit('c', Uint8Array.of(3), later);
    store.find('a'); // a is used again, b and c are not
    store.commit('d', Uint8Array.of(4), later);
    store.commit('e', Uint8Array.of(5), later);
    expect(store.find('b')).toBeUndefined();
    expect(store.find('c')).toBeUndefined();
    expect(store.find('a')).toEqual(Uint8Array.of(1));
    expect(store.find('e')).toEqual(Uint8Array.of(5));
    for (let i = 0; i < 100; i++) {
      store.commit(`x${i}`, Uint8Array.of(i), later);
      expect(store.size).toBeLessThanOrEqual(6);
    }
  });

  it('keeps a session that is used again before maxEntries / 2 others are stored', () => {
    const store = new MemoryStore({ maxEntries: 100, sweepInterval: 0 });
    const later = Date.now() + 60_000;
    for (let i = 0; i < 49; i++) store.commit(`old${i}`, Uint8Array.of(i), later);
    for (let round = 0; round < 10; round++) {
      store.find('old0'); // a hot session
      for (let i = 0; i < 49; i++) store.commit(`new${round}-${i}`, Uint8Array.of(i), later);
    }
    expect(store.size).toBeLessThanOrEqual(100);
    expect(store.find('old0')).toEqual(Uint8Array.of(0));
    expect(store.find('old1')).toBeUndefined();
  });

  it('updates an existing entry in place on commit', () => {
    const store = new MemoryStore({ maxEntries: 6, sweepInterval: 0 });
    const later = Date.now() + 60_000;
    for (const token of ['a', 'b', 'c']) store.commit(token, Uint8Array.of(1), later);
    for (let i = 0; i < 10; i++) store.commit('a', Uint8Array.of(i), later);
    expect(store.size).toBe(3);
    expect(store.find('a')).toEqual(Uint8Array.of(9));
    expect(store.find('b')).toEqual(Uint8Array.of(1));
  });

  it('sweeps expired entries on its timer', async () => {
    const store = new MemoryStore({ sweepInterval: 20 });
    store.commit('short', Uint8Array.of(1), Date.now() + 10);
    store.commit('long', Uint8Array.of(2), Date.now() + 60_000);
    expect(store.size).toBe(2);
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(store.size).toBe(1);
    store.close();
  });

  it('returns the same bytes object until the entry changes (stableBytes)', () => {
    const store = new MemoryStore({ sweepInterval: 0 });
    store.commit('a', Uint8Array.of(1), Date.now() + 60_000);
    const first = store.find('a');
    expect(store.find('a')).toBe(first);
    store.commit('a', Uint8Array.of(1), Date.now() + 60_000);
    expect(store.find('a')).not.toBe(first);
  });

  it('rejects nonsense options with a TypeError naming the option', () => {
    expect(() => new MemoryStore({ maxEntries: 1 })).toThrow(/option maxEntries/);
    expect(() => new MemoryStore({ maxEntries: 1.5 })).toThrow(TypeError);
    expect(() => new MemoryStore({ sweepInterval: -1 })).toThrow(/option sweepInterval/);
    expect(() => new MemoryStore({ sweepInterval: Number.NaN })).toThrow(/option sweepInterval/);
  });
});
