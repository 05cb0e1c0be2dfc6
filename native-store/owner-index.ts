// The owner index: a third LMDB database, owner -> tokens (dupSort), so a user's sessions are found without a scan.
import type { Database } from 'lmdb';
import type { OwnedEntry } from '../src/store-kit.js';
import { copyData, isRecord, recordExpiry, recordOwner } from './record.js';

/** owner -> token, one duplicate per token. The record itself says who owns it; the index only finds it. */
export type OwnerIndex = Database<string, string>;

/**
 * Inside a write transaction: moves `token` in the index from the `previous` owner to `next`
 * (either may be undefined: not indexed / no longer indexed). `previous` must be read from the
 * record in the same transaction, which keeps the index exact across processes.
 */
export function reown(owners: OwnerIndex, token: string, previous: string | undefined, next: string | undefined): void {
  if (previous === next) return;
  if (previous !== undefined) owners.remove(previous, token);
  if (next !== undefined) owners.put(next, token);
}

/**
 * The live sessions of `owner`: reads the owner's index entries, then each record, and keeps those
 * that are ours, live at `now`, and still carry that owner. Costs O(entries of that owner).
 */
export function findOwned(records: Database<Uint8Array, string>, owners: OwnerIndex, owner: string, now: number): OwnedEntry[] {
  const found: OwnedEntry[] = [];
  for (const token of Array.from(owners.getValues(owner))) {
    // `record` is lmdb-js's reused buffer: read what we need from it before the next read.
    const record = records.getBinaryFast(token);
    if (record === undefined || !isRecord(record) || recordOwner(record) !== owner) continue;
    const expiresAt = recordExpiry(record);
    if (expiresAt > now) found.push({ key: token, data: copyData(record), expiresAt });
  }
  return found;
}
