// The expiry index: a second LMDB database keyed by [expiresAt, token], so the sweep reads only expired entries.
import type { Database } from 'lmdb';
import type { OwnerIndex } from './owner-index.js';
import { copyData, isRecord, recordExpiry, recordOwner } from './record.js';

/** An index key: the record's exact stored expiry, then its token. */
export type IndexKey = [expiresAt: number, token: string];

const EMPTY = new Uint8Array(0);

/**
 * Inside a write transaction: moves `token` in the index from `previous` to `next` (either may be
 * undefined: not indexed / no longer indexed). Reading `previous` in the same transaction as the
 * write keeps the index exact even when other processes write the same token.
 */
export function reindex(index: Database<Uint8Array, IndexKey>, token: string, previous: number | undefined, next: number | undefined): void {
  if (previous === next) return;
  if (previous !== undefined) index.remove([previous, token]);
  if (next !== undefined) index.put([next, token], EMPTY);
}

/** Up to `limit` index keys whose expiry is at or before `now`, oldest first. */
export function expiredKeys(index: Database<Uint8Array, IndexKey>, now: number, limit: number): IndexKey[] {
  // [now + 1] sorts after every [now, token] and before every [now + 1, token].
  return Array.from(index.getKeys({ end: [now + 1], limit }));
}

/**
 * Inside a write transaction: drops the given index keys, and each record whose stored expiry is
 * still the indexed one (a record overwritten or touched since keeps its newer index entry; a
 * record that is not ours is left alone). A deleted record's owner index entry goes with it.
 * Returns the number of records deleted; `removed`, when given, receives each deleted session's data and owner.
 */
export function deleteExpired(
  records: Database<Uint8Array, string>,
  index: Database<Uint8Array, IndexKey>,
  owners: OwnerIndex,
  keys: IndexKey[],
  now: number,
  removed?: [data: Uint8Array, owner: string | undefined][],
): number {
  let deleted = 0;
  for (const key of keys) {
    const [expiresAt, token] = key;
    index.remove(key);
    if (typeof token !== 'string' || expiresAt > now) continue;
    const record = records.getBinaryFast(token);
    if (record !== undefined && isRecord(record) && recordExpiry(record) === expiresAt) {
      const owner = recordOwner(record);
      removed?.push([copyData(record), owner]);
      records.remove(token);
      if (owner !== undefined) owners.remove(owner, token);
      deleted++;
    }
  }
  return deleted;
}
