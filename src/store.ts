// The Store contract. Its doc comments are the rules every store follows; the conformance suite checks them.

/**
 * Where sessions live. Keys are tokens (or their sha256 when `hashTokenInStore` is on); values
 * are the codec's bytes; expiry is absolute, in ms since epoch.
 *
 * Rules:
 * - Missing, expired, garbled or tampered entries are all "not found" (`undefined`), never an error.
 * - A method throws (or rejects) only for system failures: connection lost, disk full. The error
 *   names the store (`sessionkit: redis store: GET failed`) and carries the driver error as `cause`.
 * - `commit` overwrites. An entry is live while `Date.now() < expiresAt`; an expiry already in the
 *   past is accepted and the entry is not kept.
 * - Deleting a missing token is a no-op.
 * - `data` passed to `commit` is valid until the call returns or its promise settles; a store
 *   copies what it keeps. Bytes returned by `find` are never mutated by sessionkit.
 * - Synchronous results are allowed and preferred where the answer is at hand (memory, LMDB):
 *   they let a request run without a promise.
 */
/** A live entry found through the owner index. */
export interface OwnedEntry { key: string; data: Uint8Array; expiresAt: number /* ms since epoch */ }

export interface Store {
  /** The entry for `token`, or undefined when missing or expired. */
  find(token: string): Uint8Array | undefined | Promise<Uint8Array | undefined>;
  /** Inserts or overwrites `token` with `data`, live until `expiresAt` (ms since epoch). */
  commit(token: string, data: Uint8Array, expiresAt: number, owner?: string): void | Promise<void>;
  /** Removes `token`; a missing token is not an error. */
  delete(token: string): void | Promise<void>;
  /** Every live entry (optional: needed by `SessionManager.iterate`). */
  all?(): AsyncIterable<[token: string, data: Uint8Array]>;
  /** Moves the expiry of a live entry without rewriting its data (optional: used for idle timeouts). */
  touch?(token: string, expiresAt: number): void | Promise<void>;
  /**
   * True when `find` returns the same Uint8Array object for as long as an entry is unchanged (an
   * in-memory copy). The manager then caches the decoded session by that object and skips decoding.
   */
  readonly stableBytes?: boolean;
  /**
   * Conditional commit. Writes `data` (live until `expiresAt`, indexed under `owner` when given)
   * only if the entry's current LIVE bytes equal `expected` byte for byte; with
   * `expected === undefined`, only if there is no live entry for `key`. Resolves true when written,
   * false when the condition failed (then nothing was written). Atomic against concurrent
   * commit/commitIf/delete/touch of the same key, also from other processes sharing the store.
   * An `expiresAt` already in the past is accepted (true) and the entry is not kept.
   */
  commitIf?(key: string, expected: Uint8Array | undefined, data: Uint8Array, expiresAt: number, owner?: string): boolean | Promise<boolean>;

  /**
   * The live entries whose latest commit carried `owner`, in any order, at a cost proportional to
   * the entries of that owner (never a scan of the store). Expired and deleted entries are never
   * returned; the store may prune them from its index here, lazily. Entries whose latest commit
   * carried another owner or none MAY also be returned (the manager checks the user id recorded
   * inside the data), so an index may be append-only between prunes.
   */
  findByOwner?(owner: string): OwnedEntry[] | Promise<OwnedEntry[]>;
  /** Stops timers and releases what the store opened itself; never closes a client the user passed in. */
  close?(): void | Promise<void>;
}

/** A store that can list its sessions. */
export type IterableStore = Store & Required<Pick<Store, 'all'>>;

/** True when the store offers `all()`. */
export function canIterate(store: Store): store is IterableStore {
  return typeof store.all === 'function';
}

/** Throws a TypeError unless `store` has the three required methods. */
export function assertStore(store: unknown, option = 'store'): asserts store is Store {
  const s = store as Partial<Store> | null;
  if (s === null || typeof s !== 'object' || typeof s.find !== 'function' || typeof s.commit !== 'function' || typeof s.delete !== 'function') {
    throw new TypeError(`sessionkit: option ${option} must be a Store with find(), commit() and delete() methods`);
  }
}

/** True when `value` is a thenable, so a synchronous store answer can skip the promise machinery. */
export function isPromiseLike<T>(value: unknown): value is PromiseLike<T> {
  return value !== null && typeof value === 'object' && typeof (value as PromiseLike<T>).then === 'function';
}
