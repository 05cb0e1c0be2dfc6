import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../../src/index.js';
import { storeConformance } from '../../src/testing/index.js';
import { later, sleep } from '../support/time.js';

storeConformance('MemoryStore', () => new MemoryStore());
storeConformance('MemoryStore with small bounds', () => new MemoryStore({ maxEntries: 200, maxBytes: 2 * 1024 * 1024 }), { bigSession: 1024 * 1024 });

const one = (value: number) => Uint8Array.of(value);

describe('MemoryStore', () => {
  describe('bounds and LRU order', () => {
    it('keeps maxEntries live sessions: an idle session outlives maxEntries - 1 newer ones', () => {
      const store = new MemoryStore({ maxEntries: 1000, sweepInterval: 0 });
      store.commit('victim', one(1), later(), 'user-1');
      for (let i = 0; i < 999; i++) store.commit(`anonymous-${i}`, one(2), later());
      expect(store.size).toBe(1000);
      expect(store.find('victim')).toEqual(one(1));
      // Used just now, so it is the newest: the next 999 still do not push it out.
      for (let i = 0; i < 999; i++) store.commit(`more-${i}`, one(3), later());
      expect(store.find('victim')).toEqual(one(1));
      expect(store.size).toBe(1000);
      for (let i = 0; i < 1000; i++) store.commit(`flood-${i}`, one(4), later());
      expect(store.find('victim')).toBeUndefined();
      expect(store.findByOwner('user-1')).toEqual([]);
    });

    it('never holds more than maxEntries under sustained load', () => {
      const store = new MemoryStore({ maxEntries: 5000, sweepInterval: 0 });
      const hot = Array.from({ length: 100 }, (_, i) => `hot-${i}`);
      for (const token of hot) store.commit(token, one(7), later());
      for (let i = 0; i < 100_000; i++) {
        store.commit(`anonymous-${i}`, one(1), later());
        if (i % 1000 === 0) for (const token of hot) expect(store.find(token)).toEqual(one(7));
      }
      expect(store.size).toBe(5000);
      for (const token of hot) expect(store.find(token)).toEqual(one(7));
    });

    it('drops the least recently used first, counting finds, commits, conditional commits and touches as uses', () => {
      const store = new MemoryStore({ maxEntries: 3, sweepInterval: 0 });
      for (const token of ['a', 'b', 'c']) store.commit(token, one(1), later());
      store.find('a'); // order, oldest first: b c a
      store.commit('d', one(1), later()); // drops b: c a d
      expect(store.find('b')).toBeUndefined();
      store.touch('c', later()); // a d c
      store.commit('e', one(1), later()); // drops a: d c e
      expect(store.find('a')).toBeUndefined();
      expect(store.commitIf('d', one(1), one(2), later())).toBe(true); // c e d
      store.commit('c', one(3), later()); // e d c
      store.commit('f', one(1), later()); // drops e: d c f
      expect(store.find('e')).toBeUndefined();
      expect([store.find('d'), store.find('c'), store.find('f')]).toEqual([one(2), one(3), one(1)]);
      expect(store.size).toBe(3);
    });

    it('keeps at most maxBytes of session data, dropping the least recently used', () => {
      const store = new MemoryStore({ maxBytes: 10_000, sweepInterval: 0 });
      for (let i = 0; i < 10; i++) store.commit(`s${i}`, new Uint8Array(1000).fill(i), later());
      expect(store.bytes).toBe(10_000);
      expect(store.size).toBe(10);
      store.find('s0');
      store.commit('big', new Uint8Array(3500), later()); // drops s1, s2, s3, s4 (4000 bytes)
      expect(store.bytes).toBeLessThanOrEqual(10_000);
      expect(['s1', 's2', 's3', 's4'].map((token) => store.find(token))).toEqual([undefined, undefined, undefined, undefined]);
      expect(store.find('s0')).toEqual(new Uint8Array(1000).fill(0));
      expect(store.find('s5')).toEqual(new Uint8Array(1000).fill(5));
      store.commit('s0', new Uint8Array(10), later()); // shrinking frees bytes
      expect(store.bytes).toBe(10 + 5 * 1000 + 3500);
      store.delete('big');
      expect(store.bytes).toBe(10 + 5 * 1000);
    });

    it('holds 20 000 sessions of 10 KiB within maxBytes', () => {
      const maxBytes = 16 * 1024 * 1024;
      const store = new MemoryStore({ maxBytes, sweepInterval: 0 });
      const data = new Uint8Array(10 * 1024).fill(1);
      for (let i = 0; i < 20_000; i++) store.commit(`t${i}`, data, later());
      expect(store.bytes).toBeLessThanOrEqual(maxBytes);
      expect(store.size).toBe(Math.floor(maxBytes / data.length));
      expect(store.find('t19999')).toEqual(data);
      expect(store.find('t0')).toBeUndefined();
    });

    it('refuses a session larger than maxBytes, keeping what was stored', () => {
      const store = new MemoryStore({ maxBytes: 100, sweepInterval: 0 });
      store.commit('a', one(1), later());
      expect(() => store.commit('a', new Uint8Array(101), later())).toThrow(/memory store: a session of 101 bytes is larger than maxBytes \(100\)/);
      expect(() => store.commitIf('a', one(1), new Uint8Array(101), later())).toThrow(/maxBytes/);
      expect(store.find('a')).toEqual(one(1));
      expect(store.bytes).toBe(1);
    });
  });

  it('updates an existing entry in place on commit', () => {
    const store = new MemoryStore({ maxEntries: 6, sweepInterval: 0 });
    for (const token of ['a', 'b', 'c']) store.commit(token, one(1), later());
    for (let i = 0; i < 10; i++) store.commit('a', one(i), later());
    expect(store.size).toBe(3);
    expect(store.bytes).toBe(3);
    expect(store.find('a')).toEqual(one(9));
    expect(store.find('b')).toEqual(one(1));
  });

  it('copies what it is given, so that the caller overwriting its buffer changes nothing', () => {
    const store = new MemoryStore({ sweepInterval: 0 });
    const whole = Uint8Array.of(1, 2, 3);
    store.commit('whole', whole, later());
    const slab = new Uint8Array(64 * 1024);
    slab.set([4, 5, 6], 100);
    const view = slab.subarray(100, 103);
    store.commit('view', view, later());
    expect(store.commitIf('view-if', undefined, view, later())).toBe(true);
    whole.fill(0);
    slab.fill(0);
    expect(store.find('whole')).toEqual(Uint8Array.of(1, 2, 3));
    for (const token of ['view', 'view-if']) expect(store.find(token)).toEqual(Uint8Array.of(4, 5, 6));
    expect(store.bytes).toBe(9);
  });

  it('keeps a session over 1 KiB that is a whole buffer as it is, and copies a larger one given as a view', () => {
    const store = new MemoryStore({ sweepInterval: 0 });
    const big = new Uint8Array(9000).fill(7);
    store.commit('big', big, later());
    expect(store.find('big')).toBe(big);
    const outer = new Uint8Array(20_000).fill(8);
    store.commit('big-view', outer.subarray(10, 9010), later());
    const kept = store.find('big-view')!;
    expect(kept.buffer.byteLength).toBe(9000); // never the larger buffer
    expect(kept.every((b) => b === 8)).toBe(true);
  });

  it('keeps its own copy of data given as a Buffer', () => {
    const store = new MemoryStore({ sweepInterval: 0 });
    const data = Buffer.from([1, 2, 3]);
    store.commit('a', data, later());
    data.fill(0);
    expect(store.find('a')).toEqual(Uint8Array.of(1, 2, 3));
  });

  it('never revives an expired entry on touch', async () => {
    const store = new MemoryStore({ sweepInterval: 0 });
    store.commit('a', one(1), Date.now() + 10, 'user-1');
    await sleep(30);
    store.touch('a', later());
    expect(store.find('a')).toBeUndefined();
    expect(store.size).toBe(0);
    expect(store.findByOwner('user-1')).toEqual([]);
  });

  it('keeps the owner index right through overwrite, delete, eviction, sweep and lazy expiry', async () => {
    const store = new MemoryStore({ maxEntries: 4, sweepInterval: 0 });
    const keys = (owner: string) =>
      store
        .findByOwner(owner)
        .map((entry) => entry.key)
        .sort();
    store.commit('a', one(1), later(), 'u1');
    store.commit('b', one(1), later(), 'u1');
    store.commit('c', one(1), later(), 'u2');
    expect(keys('u1')).toEqual(['a', 'b']);
    store.commit('b', one(2), later(), 'u2'); // owner moves
    expect(keys('u1')).toEqual(['a']);
    expect(keys('u2')).toEqual(['b', 'c']);
    store.commit('b', one(3), later()); // no owner any more
    expect(keys('u2')).toEqual(['c']);
    store.delete('c');
    expect(keys('u2')).toEqual([]);
    for (const token of ['x', 'y', 'z', 'w']) store.commit(token, one(1), later()); // evicts a
    expect(keys('u1')).toEqual([]);
    store.commit('s', one(1), Date.now() + 10, 'u3');
    store.commit('l', one(1), Date.now() + 10, 'u3');
    await sleep(30);
    store.sweep();
    expect(store.findByOwner('u3')).toEqual([]);
    store.commit('s', one(1), Date.now() + 10, 'u4');
    await sleep(30);
    expect(store.find('s')).toBeUndefined(); // lazy expiry on read
    expect(store.findByOwner('u4')).toEqual([]);
  });

  it('rejects an owner that is empty, too long or not a string, without showing it', () => {
    const store = new MemoryStore({ sweepInterval: 0 });
    for (const owner of ['', 'secret'.repeat(50), 42, '\uD800'] as string[]) {
      expect(() => store.commit('a', one(1), later(), owner)).toThrow(TypeError);
      expect(() => store.commitIf('a', undefined, one(1), later(), owner)).toThrow(/memory store: owner must be/);
    }
    try {
      store.commit('a', one(1), later(), 'secret'.repeat(50));
    } catch (error) {
      expect(String(error)).not.toContain('secret');
    }
    expect(store.size).toBe(0);
  });

  it('sweeps expired entries on its timer', async () => {
    const store = new MemoryStore({ sweepInterval: 20 });
    store.commit('short', one(1), Date.now() + 10);
    store.commit('long', one(2), later());
    expect(store.size).toBe(2);
    await sleep(80);
    expect(store.size).toBe(1);
    expect(store.bytes).toBe(1);
    store.close();
  });

  it('returns the same bytes object until the entry changes (stableBytes)', () => {
    const store = new MemoryStore({ sweepInterval: 0 });
    store.commit('a', one(1), later());
    const first = store.find('a');
    expect(store.find('a')).toBe(first);
    store.touch('a', later() + 1000);
    expect(store.find('a')).toBe(first);
    store.commit('a', one(1), later());
    expect(store.find('a')).not.toBe(first);
  });

  it('tells onDrop listeners of every bytes object it stops holding, and why', () => {
    const store = new MemoryStore({ maxEntries: 2, sweepInterval: 0 });
    const heard: [string, Uint8Array, string][] = [];
    const stop = store.onDrop((key, data, reason) => heard.push([key, data, reason]));
    store.commit('a', one(1), later());
    const first = store.find('a')!;
    store.commit('a', one(2), later());
    expect(heard).toEqual([['a', first, 'replaced']]);
    expect(heard[0]![1]).toBe(first);
    const second = store.find('a')!;
    store.commit('b', one(3), later());
    store.commit('c', one(4), later()); // over maxEntries: a, the least recently used, goes
    expect(heard[1]).toEqual(['a', second, 'evicted']);
    expect(heard[1]![1]).toBe(second);
    const b = store.find('b')!;
    store.delete('b');
    expect(heard[2]).toEqual(['b', b, 'deleted']);
    expect(heard[2]![1]).toBe(b);
    const c = store.find('c')!;
    store.touch('c', Date.now() - 1);
    expect(heard[3]).toEqual(['c', c, 'expired']);
    stop();
    store.commit('d', one(5), later());
    store.delete('d');
    expect(heard).toHaveLength(4);
  });

  it('rejects nonsense options with a TypeError naming the option', () => {
    expect(() => new MemoryStore({ maxEntries: 0 })).toThrow(/option maxEntries/);
    expect(() => new MemoryStore({ maxEntries: 1.5 })).toThrow(TypeError);
    expect(() => new MemoryStore({ maxBytes: 0 })).toThrow(/option maxBytes/);
    expect(() => new MemoryStore({ maxBytes: Number.POSITIVE_INFINITY })).toThrow(/option maxBytes/);
    expect(() => new MemoryStore({ sweepInterval: -1 })).toThrow(/option sweepInterval/);
    expect(() => new MemoryStore({ sweepInterval: Number.NaN })).toThrow(/option sweepInterval/);
    expect(() => new MemoryStore({ sweepInterval: 2 ** 31 })).toThrow(/option sweepInterval/);
    new MemoryStore({ maxEntries: 1, sweepInterval: 2 ** 31 - 1 }).close();
  });
});
