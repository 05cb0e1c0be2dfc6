// The manager's cache of decoded sessions, for stores whose find returns the same bytes object while an entry is unchanged.
import type { SessionRecord } from './codec.js';
import { decodedSize } from './decoded-size.js';
import type { DropReason } from './store.js';
import { Lru } from './weighted-lru.js';

/**
 * A decoded session, valid while the store still returns `bytes` (compared by identity). Once
 * filed it is never changed: sessions hold it as their record until they change something.
 */
export interface CachedRecord extends SessionRecord {
  bytes: Uint8Array | undefined;
}

/** Stands in for a record whose bytes the store replaced, until the key is filed again: never a hit. */
const REPLACED: CachedRecord = Object.freeze({ deadline: 0, values: new Map<string, unknown>(), bytes: undefined });
/** What a placeholder costs (its slot and key): weighed, so that placeholders of keys never filed again are pushed out like records. */
const REPLACED_BYTES = 160;

/**
 * Decoded sessions by store key, at most `maxBytes` of them by their estimated heap size
 * ({@link decodedSize}), the least recently used dropped first; a record bigger than the bound is
 * never filed. A hit needs the store to hand back the very bytes object the record was decoded
 * from (or filed under), so a changed entry can never be served stale; and a store that reports
 * what it drops (`onDrop`) has the cache drop its decoded copy at the same time.
 */
export class DecodeCache {
  private readonly records: Lru<CachedRecord>;

  constructor(readonly maxBytes: number) {
    this.records = new Lru<CachedRecord>(Number.MAX_SAFE_INTEGER, maxBytes);
  }

  /** Estimated bytes held. */
  get bytes(): number {
    return this.records.totalWeight;
  }

  /** Records held. */
  get size(): number {
    return this.records.size;
  }

  /** The record for `key` if it was decoded from (or filed under) exactly `bytes`. */
  get(key: string, bytes: Uint8Array): CachedRecord | undefined {
    const record = this.records.get(key);
    return record !== undefined && record.bytes === bytes ? record : undefined;
  }

  /** Files a record whose `bytes` are set; neither it nor its values may change afterwards. */
  file(key: string, record: CachedRecord): void {
    this.records.set(key, record, decodedSize(record.bytes!.length, record.values));
  }

  /** Files `values` as the decoded form of `bytes` and returns the record filed. */
  set(key: string, bytes: Uint8Array, deadline: number, values: Map<string, unknown>): CachedRecord {
    const record: CachedRecord = { deadline, values, bytes };
    this.file(key, record);
    return record;
  }

  delete(key: string): void {
    this.records.delete(key);
  }

  /** The store no longer holds `bytes` under `key`: the record decoded from them goes too. */
  dropped(key: string, bytes: Uint8Array, reason: DropReason): void {
    const record = this.records.peek(key);
    if (record === undefined) return;
    if (reason !== 'replaced') {
      if (record === REPLACED || record.bytes === bytes) this.records.delete(key);
    } else if (record.bytes === bytes) {
      // A replaced entry is usually filed again at once (after this manager's own commit): its
      // slot is kept, so that a hot key is not deleted and re-inserted on every write.
      this.records.set(key, REPLACED, REPLACED_BYTES);
    }
  }
}
