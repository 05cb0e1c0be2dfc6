// What one request changed in a session, and how those changes are applied on top of a session stored since (merge-on-commit).
import { copyIdentity, HANDLE_KEY, CREATED_AT_KEY } from './identity.js';

/**
 * The changes of one request since the session was loaded (or last committed). Made on the first
 * change, so a request that only reads allocates none; one changed key costs no further allocation.
 */
export class Changes {
  /** `clear()` was called: keys not changed afterwards are removed, also ones added concurrently. */
  cleared = false;
  /** The deadline was set (setDeadline, mergeSession): ours wins over the stored one. */
  deadlineSet = false;
  /** `login()` was called: maxSessionsPerUser applies once this is committed. */
  login = false;
  #first: string | undefined = undefined;
  #more: Set<string> | undefined = undefined;

  /** @param loaded the stored bytes the session was loaded from or last committed as (the expected bytes of its next commit) */
  constructor(public loaded: Uint8Array | undefined) {}

  /** Records that `key` was put, removed or popped. */
  touch(key: string): void {
    if (this.#first === undefined) this.#first = key;
    else if (this.#first !== key) (this.#more ??= new Set()).add(key);
  }

  /** The changed keys, each once. */
  keys(): string[] {
    if (this.#first === undefined) return [];
    const keys = [this.#first];
    if (this.#more !== undefined) for (const key of this.#more) keys.push(key);
    return keys;
  }
}

/**
 * The values that result from applying `changes` (with the request's values `ours`) on top of the
 * stored values `stored`, which are left as they are: a cleared session keeps only the stored
 * identity; each changed key takes our value, or is removed when we no longer have it. A session
 * whose stored record has no handle yet (written before handles existed) keeps ours.
 */
export function applyChanges(stored: ReadonlyMap<string, unknown>, ours: ReadonlyMap<string, unknown>, changes: Changes | undefined): Map<string, unknown> {
  const merged = new Map<string, unknown>();
  if (changes?.cleared) copyIdentity(stored, merged);
  else stored.forEach(copyEntry, merged);
  if (changes !== undefined) {
    for (const key of changes.keys()) {
      if (ours.has(key)) merged.set(key, ours.get(key));
      else merged.delete(key);
    }
  }
  if (!merged.has(HANDLE_KEY) && ours.has(HANDLE_KEY)) {
    merged.set(HANDLE_KEY, ours.get(HANDLE_KEY));
    merged.set(CREATED_AT_KEY, ours.get(CREATED_AT_KEY));
  }
  return merged;
}

// forEach with a `this` argument copies without the [key, value] pair per entry that
// `new Map(map)` and for-of allocate.
export function copyEntry(this: Map<string, unknown>, value: unknown, key: string): void {
  this.set(key, value);
}
