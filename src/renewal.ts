// What a session was before renewToken()/login() deleted its stored entry, until the renewed session is written: a failed save puts the old entry back, so the user keeps the session they had.
import { isPromiseLike, type Store } from './store.js';

/** The stored entry a renewal deleted. */
export interface Renewal {
  key: string;
  bytes: Uint8Array;
  expiresAt: number;
  owner: string | undefined;
  /** The entry was put back after a failed save: a later successful save deletes it again. */
  restored: boolean;
}

// Only renewed sessions have an entry: a WeakMap keeps other sessions free of the field.
const renewals = new WeakMap<object, Renewal>();

/** Records the entry `session`'s first renewal in this request deletes. */
export function recordRenewal(session: object, renewal: Omit<Renewal, 'restored'>): void {
  if (!renewals.has(session)) renewals.set(session, { ...renewal, restored: false });
}

export function renewalOf(session: object): Renewal | undefined {
  return renewals.get(session);
}

/**
 * The renewed session is written: forgets the old entry, deleting it again if a failed save had
 * put it back. Resolves (or returns) `result`.
 */
export function renewalDone<T>(session: object, renewal: Renewal, result: T, deleteKey: (key: string) => void | Promise<void>): T | Promise<T> {
  renewals.delete(session);
  if (!renewal.restored) return result;
  const deleted = deleteKey(renewal.key);
  return isPromiseLike(deleted) ? Promise.resolve(deleted).then(() => result) : result;
}

/**
 * Saving the renewed session failed with `error`: writes the old entry back (only where nothing
 * is stored under its key), then throws `error`. A failure to put it back is not reported over
 * the save's own error.
 */
export function restoreAfterFailure(store: Store, renewal: Renewal, error: unknown): never | Promise<never> {
  renewal.restored = true;
  let put: unknown;
  try {
    put =
      store.commitIf === undefined
        ? store.commit(renewal.key, renewal.bytes, renewal.expiresAt, renewal.owner)
        : store.commitIf(renewal.key, undefined, renewal.bytes, renewal.expiresAt, renewal.owner);
  } catch {
    throw error;
  }
  if (isPromiseLike(put)) {
    return Promise.resolve(put).then(
      () => Promise.reject(error),
      () => Promise.reject(error),
    );
  }
  throw error;
}
