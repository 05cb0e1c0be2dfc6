// A map bounded by count and by weight (bytes), least recently used dropped first: LmdbStore's in-process tier and the manager's decode cache.
import { LruList, type LruNode } from './lru-list.js';

class Slot<V> implements LruNode<Slot<V>> {
  newer: Slot<V> | undefined = undefined;
  older: Slot<V> | undefined = undefined;

  constructor(
    readonly key: string,
    public value: V,
    public weight: number,
  ) {}
}

/**
 * A Map whose entries also sit in a linked list in use order: `set` evicts the least recently used
 * (found or set longest ago) while there are more than `maxEntries` or their weights sum to more
 * than `maxWeight`. A use relinks its entry (a few pointer writes): no Map delete and re-insert,
 * which in V8 leaves deleted slots in the key's hash chain until the next rehash, and no
 * allocation, so a hit costs the same however hot the key and however full the map.
 *
 * Entries carry no expiry: their users validate each hit (LMDB against the record header, the
 * decode cache against the bytes object), so the LRU only decides what is worth keeping.
 * `onEvict` hears of every entry the bounds push out (not of `delete` or `clear`, which the caller
 * asked for).
 */
export class Lru<V> {
  private readonly map = new Map<string, Slot<V>>();
  private order = new LruList<Slot<V>>();
  private weight = 0;

  constructor(
    /** Most entries kept. */
    readonly maxEntries: number,
    /** Most total weight kept, in the unit of the weights given to `set` (bytes for sessionkit's own uses). */
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

  /** The value for `key`, undefined when absent; a hit marks it the most recently used. */
  get(key: string): V | undefined {
    const slot = this.map.get(key);
    if (slot === undefined) return undefined;
    this.order.use(slot);
    return slot.value;
  }

  /** The value for `key` without counting a use. */
  peek(key: string): V | undefined {
    return this.map.get(key)?.value;
  }

  /** Inserts or replaces `key` (a use, like `get`); a value heavier than `maxWeight` is not kept. */
  set(key: string, value: V, weight: number): void {
    let slot = this.map.get(key);
    if (weight > this.maxWeight) {
      if (slot !== undefined) this.evict(slot);
      return;
    }
    if (slot !== undefined) {
      this.weight += weight - slot.weight;
      slot.value = value;
      slot.weight = weight;
      this.order.use(slot);
    } else {
      slot = new Slot(key, value, weight);
      this.map.set(key, slot);
      this.order.insert(slot);
      this.weight += weight;
    }
    // The entry just set is the most recently used and fits alone, so it is never evicted here.
    while (this.map.size > this.maxEntries || this.weight > this.maxWeight) this.evict(this.order.oldest!);
  }

  /** Removes `key` if held, without calling `onEvict`. */
  delete(key: string): void {
    const slot = this.map.get(key);
    if (slot !== undefined) this.remove(slot);
  }

  /** Removes every entry, without calling `onEvict`. */
  clear(): void {
    this.order = new LruList<Slot<V>>();
    this.map.clear();
    this.weight = 0;
  }

  private evict(slot: Slot<V>): void {
    this.remove(slot);
    this.onEvict?.(slot.key, slot.value);
  }

  private remove(slot: Slot<V>): void {
    this.map.delete(slot.key);
    this.order.remove(slot);
    this.weight -= slot.weight;
  }
}
