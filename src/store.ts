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
 * - `data` passed to `commit`/`commitIf` is never written again by whoever passed it (sessionkit
 *   passes the codec's output). A store may keep it as it is when it is a plain Uint8Array over the
 *   whole of its buffer (`byteLength` that of its buffer, {@link isWholeBuffer}): keeping it
 *   then holds exactly its length. A view into a larger buffer (a pooled Buffer, a codec's slab) and
 *   `expected` are valid only until the call returns or its promise settles: a store copies what it
 *   keeps of them, so that it never keeps a larger buffer alive. Bytes returned by `find` and
 *   `findByOwner` are never mutated by sessionkit.
 * - Synchronous results are allowed and preferred where the answer is at hand (memory, LMDB):
 *   they let a request run without a promise.
 */
export interface Store {
  /** The entry for `token`, or undefined when missing or expired. */
  find(token: string): Uint8Array | undefined | Promise<Uint8Array | undefined>;
  /**
   * Inserts or overwrites `token` with `data`, live until `expiresAt` (ms since epoch). `owner`
   * (a user id, see {@link OwnedEntry}) indexes the entry for `findByOwner`; a store without that
   * index ignores it. An entry's owner is the one its latest commit carried (none if it carried none).
   */
  commit(token: string, data: Uint8Array, expiresAt: number, owner?: string): void | Promise<void>;
  /**
   * Conditional commit (optional: lets concurrent requests of one session merge instead of the
   * last writer winning, and makes revocation stick). Writes `data` (live until `expiresAt`,
   * indexed under `owner` when given) only if the entry's current LIVE bytes equal `expected` byte
   * for byte; with `expected === undefined`, only if there is no live entry for `token`. Resolves
   * true when written, false when the condition failed (then nothing was written). Atomic against
   * concurrent commit/commitIf/delete/touch of the same token, also from other processes sharing
   * the store. An `expiresAt` already in the past is accepted (true, when the condition holds) and
   * the entry is not kept.
   *
   * Revocation relies on it: once `delete(token)` resolved, `commitIf(token, <any bytes>, ...)`
   * returns false, so a request holding the old bytes can never bring a revoked token back.
   * `commitIf(token, undefined, ...)` is used only for freshly generated tokens.
   */
  commitIf?(token: string, expected: Uint8Array | undefined, data: Uint8Array, expiresAt: number, owner?: string): boolean | Promise<boolean>;
  /**
   * The live entries whose latest commit carried `owner`, in any order, at a cost proportional to
   * the entries of that owner (never a scan of the store, never `all()`). Expired and deleted
   * entries are never returned; the store may prune them from its index here, lazily. Entries
   * whose latest commit carried another owner or none MAY also be returned (the manager checks the
   * user id recorded inside the data), so an index may be append-only between prunes.
   * `touch` keeps an entry's owner; `delete` and expiry remove it from the index (eagerly, or
   * lazily here).
   */
  findByOwner?(owner: string): OwnedEntry[] | Promise<OwnedEntry[]>;
  /** Removes `token`; a missing token is not an error. */
  delete(token: string): void | Promise<void>;
  /** Every live entry (optional: needed by `SessionManager.iterate`). */
  all?(): AsyncIterable<[token: string, data: Uint8Array]>;
  /**
   * Moves the expiry of a live entry without rewriting its data or its owner (optional: used for
   * idle timeouts). It never revives an expired entry: a missing or expired token is left alone.
   * `owner`, when given, is the entry's owner: a store whose owner index expires with its members
   * (Redis) extends it. Returns (or resolves to) false when no live entry was moved (missing,
   * expired, or removed because `expiresAt` is past), true or nothing when it was: the manager
   * then sends no cookie for a session destroyed or renewed since the request loaded it.
   */
  touch?(token: string, expiresAt: number, owner?: string): void | boolean | Promise<void | boolean>;
  /**
   * True when `find` returns the same Uint8Array object for as long as an entry is unchanged (an
   * in-memory copy), or a new object with the same bytes once the store moved the entry and told
   * its `onDrop` listeners of the old one. The manager then caches the decoded session by that
   * object and skips decoding.
   */
  readonly stableBytes?: boolean;
  /**
   * The longest one store operation may take, in ms (the store's own `timeout` option). A commit
   * that conflicts keeps reading, merging and writing again for at most this long (5 s when the
   * store has none) while other writers keep changing the session, then rejects.
   */
  readonly timeout?: number;
  /**
   * For a store with `stableBytes`: registers `listener`, called synchronously each time the store
   * stops holding a bytes object `find` may have returned (replaced by a write, deleted, expired or
   * evicted by a bound). The manager registers one to drop its decoded copy of those bytes, so it
   * never keeps a session the store dropped. Returns the function that unregisters the listener.
   * A listener neither throws nor calls the store back.
   */
  onDrop?(listener: DropListener): () => void;
  /** Stops timers and releases what the store opened itself; never closes a client the user passed in. */
  close?(): void | Promise<void>;
}

/** Why a store stopped holding a bytes object: see {@link Store.onDrop}. */
export type DropReason = 'replaced' | 'deleted' | 'expired' | 'evicted';

/** Hears that the store no longer holds `data`, which it held under `key`. */
export type DropListener = (key: string, data: Uint8Array, reason: DropReason) => void;

/**
 * A live entry found through the owner index. An owner is a non-empty string (a user id) of at
 * most {@link MAX_OWNER_LENGTH} UTF-16 code units, well-formed, without control characters; a
 * store refuses any other owner (in a write or in `findByOwner`) with a TypeError. It is not a
 * secret, but it is never logged.
 */
export interface OwnedEntry {
  /** The entry's key in the store: the token, or its hash with `hashTokenInStore`. */
  key: string;
  /** The encoded session. */
  data: Uint8Array;
  /** ms since epoch. */
  expiresAt: number;
}

/** Longest owner (user id) every store must accept, in UTF-16 code units. */
export const MAX_OWNER_LENGTH = 255;

/** A store that can commit conditionally. */
export type ConditionalStore = Store & Required<Pick<Store, 'commitIf'>>;

/** A store that keeps an owner index. */
export type OwnerIndexedStore = Store & Required<Pick<Store, 'findByOwner'>>;

/** True when the store offers `commitIf()`. */
export function canCommitIf(store: Store): store is ConditionalStore {
  return typeof store.commitIf === 'function';
}

/** True when the store offers `findByOwner()`. */
export function canFindByOwner(store: Store): store is OwnerIndexedStore {
  return typeof store.findByOwner === 'function';
}

/**
 * True for an owner (user id) every store accepts: a non-empty string of at most
 * {@link MAX_OWNER_LENGTH} UTF-16 code units, well-formed (no lone surrogate), without control
 * characters (U+0000 to U+001F, U+007F to U+009F: PostgreSQL text cannot hold U+0000, and none
 * belongs in an id that listings and logs show).
 * @internal
 */
export function isValidOwner(owner: unknown): owner is string {
  if (typeof owner !== 'string' || owner.length === 0 || owner.length > MAX_OWNER_LENGTH) return false;
  for (let i = 0; i < owner.length; i++) {
    const code = owner.charCodeAt(i);
    if (code < 0x20 || (code >= 0x7f && code < 0xa0)) return false;
  }
  return (owner as unknown as { isWellFormed(): boolean }).isWellFormed();
}

/**
 * For stores: throws a TypeError unless `owner` is undefined or a valid owner (a non-empty,
 * well-formed string of at most {@link MAX_OWNER_LENGTH} code units without control characters).
 * The message never shows the owner.
 */
export function assertOwner(owner: unknown, component: string): asserts owner is string | undefined {
  if (owner === undefined || isValidOwner(owner)) return;
  throw new TypeError(
    `sessionkit: ${component}: owner must be a non-empty string of at most ${MAX_OWNER_LENGTH} characters (well-formed UTF-16, no control characters)`,
  );
}

/**
 * True for a plain Uint8Array over the whole of its buffer: a store may keep such `data` without a
 * copy (see the Store rules), holding exactly its length. Any other (a Buffer, a view into a larger
 * buffer) is copied by a store that keeps it. (A view as long as its buffer starts at offset 0.)
 */
export function isWholeBuffer(data: Uint8Array): boolean {
  return data.constructor === Uint8Array && data.byteLength === data.buffer.byteLength;
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
