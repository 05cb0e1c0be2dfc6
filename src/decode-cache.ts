// The manager's cache of decoded sessions, for stores whose find returns the same bytes object while an entry is unchanged.

/** A decoded session, valid while the store still returns `bytes` (compared by identity). */
export interface CachedRecord {
  readonly deadline: number;
  readonly values: Map<string, unknown>;
  readonly bytes: Uint8Array;
}

/**
 * Decoded sessions by store key. A hit needs the store to hand back the very bytes object the
 * record was decoded from (or filed under), so a changed entry can never be served stale. Records
 * are never changed once filed (sessions hold them as their own until they change something); when
 * the cache holds `limit` keys it starts over, which bounds memory without bookkeeping on the hot path.
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
    if (this.records.size >= this.limit && !this.records.has(key)) this.records = new Map();
    this.records.set(key, { deadline, values, bytes });
  }

  delete(key: string): void {
    this.records.delete(key);
  }
}
