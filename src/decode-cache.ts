// The manager's cache of decoded sessions, for stores whose find returns the same bytes object while an entry is unchanged.

/** A decoded session, valid while the store still returns `bytes` (compared by identity). */
export interface CachedRecord {
  bytes: Uint8Array;
  deadline: number;
  values: Map<string, unknown>;
}

/**
 * Decoded sessions by store key. A hit needs the store to hand back the very bytes object the
 * record was decoded from (or filed under), so a changed entry can never be served stale. Entries
 * are updated in place; when the cache holds `limit` keys it starts over, which bounds memory
 * without bookkeeping on the hot path.
 */
export class DecodeCache {
  private records = new Map<string, CachedRecord>();

  constructor(private readonly limit: number) {}

  /** The record for `key` if it was decoded from (or filed under) exactly `bytes`. */
  get(key: string, bytes: Uint8Array): CachedRecord | undefined {
    const record = this.records.get(key);
    return record !== undefined && record.bytes === bytes ? record : undefined;
  }

  /** Files `values` as the decoded form of `bytes`; the caller must not change `values` afterwards. */
  set(key: string, bytes: Uint8Array, deadline: number, values: Map<string, unknown>): void {
    const record = this.records.get(key);
    if (record !== undefined) {
      record.bytes = bytes;
      record.deadline = deadline;
      record.values = values;
      return;
    }
    if (this.records.size >= this.limit) this.records = new Map();
    this.records.set(key, { bytes, deadline, values });
  }

  delete(key: string): void {
    this.records.delete(key);
  }
}
