// RecordArena: small records packed into shared slabs, each written once front to back, with compaction that bounds what dead records keep alive.
import { isWholeBuffer } from './store.js';

/** Something that holds one record of the arena (MemoryStore's entries). */
export interface ArenaHolder {
  data: Uint8Array;
  /** The slab `data` lies in; undefined for a record kept in a buffer of its own. */
  slab: Slab | undefined;
}

/** A slab: bytes written once, front to back, and never again, so a view handed out stays valid. */
export interface Slab {
  readonly bytes: Uint8Array;
  /** Bytes written so far. */
  used: number;
  /** Bytes of the records still held from this slab. */
  live: number;
  /** How many records are still held from this slab. */
  count: number;
  /** Holders that were placed here; some have moved on since (their `slab` is another). */
  holders: ArenaHolder[];
}

const SLAB_SIZE = 64 * 1024;
/** A record larger than this gets a buffer of its own (its allocation then weighs less against its size). */
export const LARGEST_IN_SLAB = 1024;
/** A full slab is compacted once the records it no longer holds leave more than this many bytes per record it still holds. */
export const DEAD_BYTES_PER_RECORD = 512;

const newSlab = (): Slab => ({ bytes: new Uint8Array(SLAB_SIZE), used: 0, live: 0, count: 0, holders: [] });

/**
 * Small records each in a buffer of their own cost an off-heap allocation per write and a
 * backing store for the garbage collector to track (on node:http, about 3 µs per saved session
 * under load). The arena copies records of up to 1 KiB into 64 KiB slabs instead. A slab is only
 * written past its `used` mark, so a record handed out never changes. Once the records a full slab
 * no longer holds take more than 512 bytes per record it still holds, those are copied into the
 * current slab and the old one is left to the garbage collector. So the slabs keep the live
 * records, at most 512 bytes of dead ones per live record, a tail under 1 KiB per slab and the
 * current slab; and compaction copies at most 2 bytes per dead byte it frees.
 */
export class RecordArena {
  #current: Slab = newSlab();
  /** The slabs that still hold live records (and the current one). */
  readonly #slabs = new Set<Slab>([this.#current]);
  readonly #moved: (holder: ArenaHolder, before: Uint8Array) => void;

  /** `moved` hears of every record compaction copies elsewhere, with the bytes object it replaced. */
  constructor(moved: (holder: ArenaHolder, before: Uint8Array) => void) {
    this.#moved = moved;
  }

  /** Makes `holder.data` a copy of `data` in the arena (or `data` itself / a copy of its own, when large). */
  place(holder: ArenaHolder, data: Uint8Array): void {
    const length = data.length;
    if (length > LARGEST_IN_SLAB) {
      // Not data.slice(): on a Buffer that is a view, not a copy.
      holder.data = isWholeBuffer(data) ? data : new Uint8Array(data);
      holder.slab = undefined;
      return;
    }
    let slab = this.#current;
    if (slab.used + length > SLAB_SIZE) {
      slab = this.#current = newSlab();
      this.#slabs.add(slab);
    }
    const start = slab.used;
    slab.bytes.set(data, start);
    slab.used = start + length;
    slab.live += length;
    slab.count++;
    slab.holders.push(holder);
    holder.data = slab.bytes.subarray(start, start + length);
    holder.slab = slab;
  }

  /** `holder` no longer holds its record (it is replaced or removed); may move other records to compact. */
  release(holder: ArenaHolder): void {
    const slab = holder.slab;
    if (slab === undefined) return;
    holder.slab = undefined;
    slab.live -= holder.data.length;
    slab.count--;
    if (slab !== this.#current && slab.used - slab.live > DEAD_BYTES_PER_RECORD * slab.count) this.#compact(slab);
  }

  /** Bytes of the slabs that still hold records (views handed out may keep others alive for a while). */
  get slabBytes(): number {
    return this.#slabs.size * SLAB_SIZE;
  }

  #compact(slab: Slab): void {
    const holders = slab.holders;
    slab.holders = [];
    slab.live = 0;
    slab.count = 0;
    this.#slabs.delete(slab);
    for (const holder of holders) {
      if (holder.slab !== slab) continue;
      const before = holder.data;
      this.place(holder, before);
      this.#moved(holder, before);
    }
  }
}
