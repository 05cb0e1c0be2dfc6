// The manager's cache of decoded sessions, for stores whose find returns the same bytes object while an entry is unchanged.
import type { SessionRecord } from './codec.js';

/**
 * A decoded session, valid while the store still returns `bytes` (compared by identity). Once
 * filed it is never changed: sessions hold it as their record until they change something.
 */
export interface CachedRecord extends SessionRecord {
  bytes: Uint8Array | undefined;
}

/**
 * Decoded sessions by store key. A hit needs the store to hand back the very bytes object the
 * record was decoded from (or filed under), so a changed entry can never be served stale. When the
 * cache holds `limit` keys it starts over, which bounds memory without bookkeeping on the hot path.
 */
export class DecodeCache {
  private records = new Map<string, CachedRecord>();

  constructor(private readonly limit: number) {}

  /** The record for `key` if it was decoded from (or filed under) exactly `bytes`. */
  get(key: string, bytes: Uint8Array): CachedRecord | undefined {
    const record = this.records.get(key);
    return record !== undefined && record.bytes === bytes ? record : undefined;
  }

  /** Files a record whose `bytes` are set; neither it nor its values may change afterwards. */
  file(key: string, record: CachedRecord): void {
    if (this.records.size >= this.limit && !this.records.has(key)) this.records = new Map();
    this.records.set(key, record);
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
}
