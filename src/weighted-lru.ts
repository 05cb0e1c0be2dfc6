// A bounded, approximately least-recently-used map weighed in bytes: LmdbStore's in-process tier and the manager's decode cache.

interface Slot<V> {
  value: V;
  weight: number;
  /** The insertion clock when this entry was (re)inserted: its place in the Map's order. */
  stamp: number;
}

/**
 * A Map kept in (approximate) use order, bounded by `maxEntries` and by `maxWeight` (the sum of
 * the entries' weights): `set` evicts from the old end of the Map's insertion order.
 *
 * A hit does not move its key on every `get`: in V8, `Map` delete + set leaves a deleted slot in
 * the key's hash chain until the next rehash, so a hot key re-inserted on every hit makes every
 * lookup in its bucket slower and slower (measured: from ~20 ns to tens of µs on 100k entries).
 * Instead each entry remembers the insertion clock at which it was inserted; a hit (or a `set` of
 * an existing key) re-inserts it only once more than half of the entries held were inserted after
 * it, i.e. once it has drifted into the older half. So an entry used since the last eviction pass
 * is always in the younger half, and the older half is evicted before it: recently used entries
 * survive, hot keys are re-inserted at most once per `size / 2` insertions.
 *
 * Entries carry no expiry: their users validate each hit (LMDB against the record header, the
 * decode cache against the bytes object), so the LRU only decides what is worth keeping. `onEvict`
 * hears of every entry the bounds push out (not of `delete` or `clear`, which the caller asked for).
 */
export class Lru<V> {
  private readonly map = new Map<string, Slot<V>>();
  private weight = 0;
  /** Counts insertions at the young end; never decreases. */
  private clock = 0;

  constructor(
    readonly maxEntries: number,
    readonly maxWeight: number,
    private readonly onEvict?: (key: string, value: V) => void,
  ) {}

  /** Number of entries held. */
  get size(): number {
    return this.map.size;
  }

  /** Sum of the weights held. */
  get totalWeight(): number {
    return this.weight;
  }

  get(key: string): V | undefined {
    const slot = this.map.get(key);
    if (slot === undefined) return undefined;
    if (this.clock - slot.stamp > this.map.size >>> 1) this.promote(key, slot);
    return slot.value;
  }

  /** The value for `key` without counting a use. */
  peek(key: string): V | undefined {
    return this.map.get(key)?.value;
  }

  /** Inserts or replaces `key` (a use, like `get`); a value heavier than `maxWeight` is not kept. */
  set(key: string, value: V, weight: number): void {
    const slot = this.map.get(key);
    if (weight > this.maxWeight) {
      if (slot !== undefined) this.evict(key, slot);
      return;
    }
    if (slot !== undefined) {
      // Replace in place; move to the young end only when drifted into the older half, or when
      // the new weight forces evictions (the entry just set must not be among them).
      this.weight += weight - slot.weight;
      slot.value = value;
      slot.weight = weight;
      if (this.clock - slot.stamp > this.map.size >>> 1 || this.weight > this.maxWeight) this.promote(key, slot);
    } else {
      this.map.set(key, { value, weight, stamp: ++this.clock });
      this.weight += weight;
    }
    while (this.map.size > this.maxEntries || this.weight > this.maxWeight) {
      const oldest = this.map.keys().next().value!;
      this.evict(oldest, this.map.get(oldest)!);
    }
  }

  delete(key: string): void {
    const slot = this.map.get(key);
    if (slot !== undefined) this.remove(key, slot);
  }

  clear(): void {
    this.map.clear();
    this.weight = 0;
  }

  /** Moves `key` to the young end of the Map's order. */
  private promote(key: string, slot: Slot<V>): void {
    this.map.delete(key);
    slot.stamp = ++this.clock;
    this.map.set(key, slot);
  }

  private evict(key: string, slot: Slot<V>): void {
    this.remove(key, slot);
    this.onEvict?.(key, slot.value);
  }

  private remove(key: string, slot: Slot<V>): void {
    this.map.delete(key);
    this.weight -= slot.weight;
  }
}
