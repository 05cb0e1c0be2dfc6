// The bodies of LmdbStore's write transactions: each keeps a record, its expiry index entry and its owner index entry in step.
import type { Database } from 'lmdb';
import { reindex, type IndexKey } from './expiry-index.js';
import { reown, type OwnerIndex } from './owner-index.js';
import { hasData, isRecord, recordExpiry, recordOwner, withExpiry } from './record.js';

/** The three databases of a store. */
export interface Databases {
  records: Database<Uint8Array, string>;
  expiry: Database<Uint8Array, IndexKey>;
  owners: OwnerIndex;
}

/**
 * In the write transaction: replaces (or, with `record` undefined, removes) the record and moves
 * its index entries. The previous expiry and owner are read in the same transaction, so the
 * indexes stay exact even when other processes write the same token.
 */
export function writeRecord(dbs: Databases, token: string, record: Uint8Array | undefined, expiry: number | undefined, owner: string | undefined): void {
  replaceRecord(dbs, token, dbs.records.getBinaryFast(token), record, expiry, owner);
}

/** `writeRecord` over the record `old` just read for `token` (lmdb-js's reused buffer: no read in between). */
function replaceRecord(
  dbs: Databases,
  token: string,
  old: Uint8Array | undefined,
  record: Uint8Array | undefined,
  expiry: number | undefined,
  owner: string | undefined,
): void {
  const ours = old !== undefined && isRecord(old);
  const previousExpiry = ours ? recordExpiry(old) : undefined;
  const previousOwner = ours ? recordOwner(old) : undefined;
  if (record !== undefined) dbs.records.put(token, record);
  else if (old !== undefined) dbs.records.remove(token);
  reindex(dbs.expiry, token, previousExpiry, expiry);
  reown(dbs.owners, token, previousOwner, owner);
}

/**
 * In the write transaction: `writeRecord` only if the live record's session bytes equal `expected`
 * (with `expected` undefined: only if there is no live record). True when written. Missing,
 * foreign and expired (at `now`) records are not live.
 */
export function writeRecordIf(
  dbs: Databases,
  token: string,
  expected: Uint8Array | undefined,
  record: Uint8Array | undefined,
  expiry: number | undefined,
  owner: string | undefined,
  now: number,
): boolean {
  const old = dbs.records.getBinaryFast(token);
  const live = old !== undefined && isRecord(old) && recordExpiry(old) > now ? old : undefined;
  if (expected === undefined ? live !== undefined : live === undefined || !hasData(live, expected)) return false;
  replaceRecord(dbs, token, old, record, expiry, owner);
  return true;
}

/** In the write transaction: moves a live record's expiry, keeping its data, stamp and owner; missing, foreign or expired records are left alone (false). */
export function retimeRecord(dbs: Databases, token: string, expiry: number, now: number): boolean {
  const old = dbs.records.getBinaryFast(token);
  if (old === undefined || !isRecord(old)) return false;
  const previous = recordExpiry(old);
  if (previous <= now) return false;
  dbs.records.put(token, withExpiry(old, expiry));
  reindex(dbs.expiry, token, previous, expiry);
  return true;
}
