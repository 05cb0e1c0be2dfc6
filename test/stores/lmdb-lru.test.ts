import { describe, expect, it } from 'vitest';
import { Lru } from '../../src/weighted-lru.js';

const keysOf = (lru: Lru<number>, keys: string[]) => keys.filter((key) => lru.get(key) !== undefined);

describe('the LmdbStore LRU tier (Lru)', () => {
  it('evicts the least recently used entry, not the oldest inserted one', () => {
    const lru = new Lru<number>(4, 1000);
    for (const key of ['a', 'b', 'c', 'd']) lru.set(key, 1, 1);
    expect(lru.get('a')).toBe(1); // a is now the most recently used
    lru.set('e', 1, 1); // evicts b
    expect(lru.size).toBe(4);
    expect(lru.get('b')).toBeUndefined();
    expect(keysOf(lru, ['a', 'c', 'd', 'e'])).toEqual(['a', 'c', 'd', 'e']);
  });

  it('keeps entries used since they were inserted while newer insertions evict the unused ones', () => {
    const lru = new Lru<number>(100, 1e9);
    const old = Array.from({ length: 100 }, (_, i) => `old${i}`);
    for (const key of old) lru.set(key, 1, 1);
    const used = old.slice(0, 10); // the ten oldest insertions, then used
    for (const key of used) expect(lru.get(key)).toBe(1);
    for (let i = 0; i < 50; i++) lru.set(`new${i}`, 1, 1);
    expect(lru.size).toBe(100);
    expect(keysOf(lru, used)).toEqual(used);
    expect(keysOf(lru, old.slice(10, 60))).toEqual([]); // the unused oldest were evicted
  });

  it('never evicts a key that is used between insertions (a hot key)', () => {
    const lru = new Lru<number>(100, 1e9);
    lru.set('hot', 42, 1);
    for (let i = 0; i < 10_000; i++) {
      lru.set(`k${i}`, i, 1);
      expect(lru.get('hot')).toBe(42);
    }
    expect(lru.size).toBe(100);
    expect(lru.get(`k${9_999 - 98}`)).toBe(9_999 - 98);
    expect(lru.get(`k${9_999 - 120}`)).toBeUndefined();
  });

  it('treats set of an existing key as a use, replacing the value and weight in place', () => {
    const lru = new Lru<number>(3, 1000);
    for (const key of ['a', 'b', 'c']) lru.set(key, 1, 10);
    lru.set('a', 2, 20);
    expect(lru.totalWeight).toBe(40);
    lru.set('d', 1, 10); // evicts b, the least recently used
    expect(lru.get('b')).toBeUndefined();
    expect(lru.get('a')).toBe(2);
    expect(lru.size).toBe(3);
    expect(lru.totalWeight).toBe(40);
  });

  it('is bounded by weight, never keeps a value heavier than maxWeight, and never evicts the entry just set', () => {
    const lru = new Lru<number>(100, 100);
    for (let i = 0; i < 10; i++) lru.set(`k${i}`, i, 10);
    expect(lru.totalWeight).toBe(100);
    lru.set('k20', 20, 30); // evicts k0, k1, k2
    expect(lru.totalWeight).toBe(100);
    expect(keysOf(lru, ['k0', 'k1', 'k2'])).toEqual([]);
    lru.set('k8', 8, 100); // a young entry grows to the whole budget: everything else goes, k8 stays
    expect(lru.get('k8')).toBe(8);
    expect(lru.size).toBe(1);
    expect(lru.totalWeight).toBe(100);
    lru.set('k8', 8, 101); // too heavy: dropped, not kept
    expect(lru.get('k8')).toBeUndefined();
    lru.set('huge', 1, 101);
    expect(lru.get('huge')).toBeUndefined();
    expect(lru.size).toBe(0);
    expect(lru.totalWeight).toBe(0);
  });

  it('deletes and clears', () => {
    const lru = new Lru<number>(10, 100);
    lru.set('a', 1, 5);
    lru.set('b', 2, 7);
    lru.delete('a');
    lru.delete('missing');
    expect(lru.get('a')).toBeUndefined();
    expect(lru.totalWeight).toBe(7);
    lru.clear();
    expect(lru.size).toBe(0);
    expect(lru.totalWeight).toBe(0);
  });

  it('tells onEvict of each entry the bounds push out, and not of delete or clear', () => {
    const evicted: string[] = [];
    const lru = new Lru<number>(2, 10, (key, value) => evicted.push(`${key}=${value}`));
    lru.set('a', 1, 1);
    lru.set('b', 2, 1);
    lru.set('c', 3, 1); // over maxEntries: a goes
    lru.set('c', 4, 20); // heavier than maxWeight: c is not kept
    lru.set('d', 5, 9);
    lru.set('e', 6, 2); // over maxWeight: b, then d go
    expect(evicted).toEqual(['a=1', 'c=3', 'b=2', 'd=5']);
    lru.delete('e');
    lru.set('f', 7, 1);
    lru.clear();
    expect(evicted).toHaveLength(4);
  });

  it('peeks without counting a use', () => {
    const lru = new Lru<number>(2, 10);
    lru.set('a', 1, 1);
    lru.set('b', 2, 1);
    expect(lru.peek('a')).toBe(1);
    lru.set('c', 3, 1); // a is still the least recently used
    expect(lru.peek('a')).toBeUndefined();
    expect(lru.peek('b')).toBe(2);
  });

  it('clear empties the use order too: entries set afterwards are evicted in their own order', () => {
    const lru = new Lru<number>(2, 10);
    lru.set('a', 1, 1);
    lru.set('b', 2, 1);
    lru.clear();
    lru.set('c', 3, 1);
    lru.set('d', 4, 1);
    lru.set('e', 5, 1);
    expect(lru.peek('c')).toBeUndefined();
    expect([lru.peek('d'), lru.peek('e'), lru.size, lru.totalWeight]).toEqual([4, 5, 2, 2]);
  });
});
