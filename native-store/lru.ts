// A bounded least-recently-used map: the in-process tier in front of LMDB.

interface Slot<V> {
  value: V;
  weight: number;
}

/**
 * A Map kept in use order: `get` moves a hit to the young end, `set` evicts from the old end
 * while there are more than `maxEntries` entries or their weights sum past `maxWeight`. Entries
 * carry no expiry: the LMDB store validates each hit against the record header, so the LRU only
 * decides what is worth keeping.
 */
export class Lru<V> {
  private readonly map = new Map<string, Slot<V>>();
  private weight = 0;

  constructor(
    readonly maxEntries: number,
    readonly maxWeight: number,
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
    // Re-inserting moves the key to the young end of the Map's insertion order.
    this.map.delete(key);
    this.map.set(key, slot);
    return slot.value;
  }

  /** Inserts or replaces `key`; a value heavier than `maxWeight` is not kept. */
  set(key: string, value: V, weight: number): void {
    this.delete(key);
    if (weight > this.maxWeight) return;
    this.map.set(key, { value, weight });
    this.weight += weight;
    while (this.map.size > this.maxEntries || this.weight > this.maxWeight) {
      this.delete(this.map.keys().next().value!);
    }
  }

  delete(key: string): void {
    const slot = this.map.get(key);
    if (slot === undefined) return;
    this.map.delete(key);
    this.weight -= slot.weight;
  }

  clear(): void {
    this.map.clear();
    this.weight = 0;
  }
}
