// The manager's store path: store keys, loading through the decode cache, encoding within the size limit, and touch.
import type { Codec, SessionRecord } from './codec.js';
import { DecodeCache } from './decode-cache.js';
import { SessionkitError } from './errors.js';
import { lifecycle } from './events.js';
import { describeStoreWith, publishLoadExpired, publishRefused, reportsOwnExpiry, storeNameOf } from './events-publish.js';
import { userIdOf } from './identity.js';
import type { ResolvedOptions } from './options.js';
import { type Session, sessionInternals } from './session.js';
import type { SessionHost } from './session-internals.js';
import { isPromiseLike, type Store } from './store.js';
import { hashToken, isToken } from './token.js';

// session.ts is evaluated before this module, so its static block has run.
const access = sessionInternals;

/**
 * Reads sessions from the store and writes them back for one SessionManager; the host of every
 * session it makes. Synchronous wherever the store is. Commits go through session-commit.ts.
 * @internal
 */
export class SessionIO implements SessionHost {
  readonly store: Store;
  /** The store's name in events. */
  readonly storeName: string;
  readonly codec: Codec;
  readonly lifetime: number;
  readonly idleTimeout: number;
  readonly hashTokenInStore: boolean;
  readonly maxSessionBytes: number;
  readonly onError: (error: SessionkitError) => void;
  /** Decoded sessions by store key, for stores with stable bytes. */
  readonly decoded: DecodeCache | undefined;
  /** Called after a login is committed (maxSessionsPerUser); set by the manager when there is a limit. Resolves false when it destroyed the session that logged in (newer logins took every place). */
  afterLogin: ((userId: string, handle: string) => Promise<boolean>) | undefined = undefined;

  constructor(options: ResolvedOptions) {
    this.store = options.store;
    this.storeName = storeNameOf(options.store);
    this.codec = options.codec;
    describeStoreWith(options.store, options.codec);
    this.lifetime = options.lifetime;
    this.idleTimeout = options.idleTimeout;
    this.hashTokenInStore = options.hashTokenInStore;
    this.maxSessionBytes = options.maxSessionBytes;
    this.onError = options.onError;
    this.decoded = options.store.stableBytes === true && options.decodeCacheBytes > 0 ? new DecodeCache(options.decodeCacheBytes) : undefined;
    if (this.decoded !== undefined) listenForDrops(options.store, this.decoded);
  }

  storeKey(token: string): string {
    return this.hashTokenInStore ? hashToken(token) : token;
  }

  deleteKey(key: string): void | Promise<void> {
    this.decoded?.delete(key);
    return this.store.delete(key);
  }

  findRecord(token: string): SessionRecord | undefined | Promise<SessionRecord | undefined> {
    const found = this.store.find(this.storeKey(token));
    if (isPromiseLike<Uint8Array | undefined>(found)) return Promise.resolve(found).then((bytes) => this.liveRecord(bytes));
    return this.liveRecord(found);
  }

  /** A new, empty session. */
  fresh<Data extends object>(): Session<Data> {
    return access.create<Data>(this);
  }

  /** The session for `token`; a fresh one when it is not token-shaped, unknown, expired or garbled. */
  load<Data extends object>(token: string | null | undefined): Session<Data> | Promise<Session<Data>> {
    if (!isToken(token)) return this.fresh<Data>();
    const key = this.storeKey(token);
    const found = this.store.find(key);
    if (isPromiseLike<Uint8Array | undefined>(found)) {
      return Promise.resolve(found).then((bytes) => this.sessionFrom<Data>(token, key, bytes));
    }
    return this.sessionFrom<Data>(token, key, found);
  }

  /** The session for one entry of `store.all()`; undefined when it is garbled or expired. */
  entry<Data extends object>(key: string, bytes: Uint8Array): Session<Data> | undefined {
    const record = this.liveRecord(bytes);
    if (record === undefined) return undefined;
    // With hashTokenInStore the store only knows sha256(token): the session keeps that key
    // and commits or deletes by it, without hashing it again.
    return access.open<Data>(this, this.hashTokenInStore ? '' : key, key, record, false, bytes);
  }

  /** Store expiry for a session: its deadline, or sooner under an idle timeout. */
  expiryOf<Data extends object>(session: Session<Data>, now?: number): number {
    return this.expiryFor(session.deadline, now);
  }

  /** Store expiry for a deadline: itself, or sooner under an idle timeout (from `now`, default the clock, read only then). */
  expiryFor(deadline: number, now?: number): number {
    if (this.idleTimeout > 0) return Math.min(deadline, (now ?? Date.now()) + this.idleTimeout);
    return deadline;
  }

  /**
   * Slides the store expiry of an unmodified session. A store without touch gets the session
   * rewritten, conditionally when it can (so a revoked session is never brought back). True when
   * the stored session was still this one and now lives longer; false when it was destroyed,
   * renewed or changed since the request loaded it (then its cookie must not be sent again).
   */
  touch<Data extends object>(session: Session<Data>): boolean | Promise<boolean> {
    const expiresAt = this.expiryOf(session);
    access.setExpiresAt(session, expiresAt);
    const key = access.storeKey(session);
    const store = this.store;
    const owner = userIdOf(access.values(session));
    if (store.touch !== undefined) {
      const touched = store.touch(key, expiresAt, owner);
      if (isPromiseLike<void | boolean>(touched)) return Promise.resolve(touched).then(wasMoved);
      return touched !== false;
    }
    const bytes = this.encode(session.deadline, access.values(session));
    if (store.commitIf === undefined) {
      const written = store.commit(key, bytes, expiresAt, owner);
      return isPromiseLike(written) ? Promise.resolve(written).then(() => true) : true;
    }
    const written = store.commitIf(key, access.loaded(session), bytes, expiresAt, owner);
    return isPromiseLike<boolean>(written) ? Promise.resolve(written) : written;
  }

  /**
   * The codec's bytes for a record; throws, naming the limit, when they are over maxSessionBytes.
   * A refusal is published unless `report` is false (a trial encoding whose failure is not final).
   */
  encode(deadline: number, values: ReadonlyMap<string, unknown>, report = true): Uint8Array {
    let bytes: Uint8Array;
    try {
      bytes = this.codec.encode(deadline, values);
    } catch (error) {
      if (report && lifecycle.refused.hasSubscribers) publishRefused(this.storeName, values, 'codec', 0);
      throw error;
    }
    if (bytes.length > this.maxSessionBytes) {
      if (report && lifecycle.refused.hasSubscribers) publishRefused(this.storeName, values, 'size', bytes.length);
      throw new SessionkitError('commit', `the encoded session is ${bytes.length} bytes, over maxSessionBytes (${this.maxSessionBytes}); nothing was written`);
    }
    return bytes;
  }

  /** The live record for bytes the store holds under `key`, decoded once per bytes object with stable bytes; undefined when garbled or past its deadline. */
  storedRecord(key: string, bytes: Uint8Array): SessionRecord | undefined {
    const cached = this.decoded?.get(key, bytes);
    if (cached !== undefined) return cached.deadline <= Date.now() ? undefined : cached;
    return this.liveRecord(bytes);
  }

  /** The decoded record if it is readable and before its deadline; garbled bytes are reported through onError. */
  liveRecord(bytes: Uint8Array | undefined): SessionRecord | undefined {
    if (bytes === undefined) return undefined;
    const record = this.decode(bytes);
    return record === undefined || record.deadline <= Date.now() ? undefined : record;
  }

  /**
   * After a synchronous commit, files the session's values under the bytes the store now holds,
   * so the next request for it skips decoding, and makes those bytes the session's expected bytes.
   * The values become shared: a later write copies them.
   */
  rememberDecoded<Data extends object>(session: Session<Data>, key: string): void {
    const cache = this.decoded;
    if (cache === undefined) return;
    const kept = this.store.find(key);
    if (kept === undefined || isPromiseLike(kept)) return;
    cache.file(key, access.fileRecord(session, kept));
    access.setLoaded(session, kept);
  }

  private sessionFrom<Data extends object>(token: string, key: string, bytes: Uint8Array | undefined): Session<Data> {
    if (bytes === undefined) return this.fresh<Data>();
    const cache = this.decoded;
    const cached = cache?.get(key, bytes);
    if (cached !== undefined) {
      if (cached.deadline <= Date.now()) return this.expired<Data>(key, cached.values);
      return access.open<Data>(this, token, key, cached, true, bytes);
    }
    const record = this.decode(bytes);
    if (record === undefined) return this.fresh<Data>();
    if (record.deadline <= Date.now()) return this.expired<Data>(key, record.values);
    if (cache === undefined) return access.open<Data>(this, token, key, record, false, bytes);
    return access.open<Data>(this, token, key, cache.set(key, bytes, record.deadline, record.values), true, bytes);
  }

  /**
   * A fresh session in place of a stored one past its deadline. Unless the store removes and
   * reports its own expired sessions, this is where the expiry is seen: it is published, and the
   * entry deleted so that no later load sees (and publishes) it again.
   */
  private expired<Data extends object>(key: string, values: ReadonlyMap<string, unknown>): Session<Data> {
    if (reportsOwnExpiry(this.store)) return this.fresh<Data>();
    if (lifecycle.expired.hasSubscribers) publishLoadExpired(this.storeName, values);
    // A delete that fails leaves the entry for the next load that finds it to try again.
    try {
      const deleted = this.deleteKey(key);
      if (isPromiseLike(deleted)) Promise.resolve(deleted).catch(ignore);
    } catch {
      // as above
    }
    return this.fresh<Data>();
  }

  private decode(bytes: Uint8Array): SessionRecord | undefined {
    try {
      return this.codec.decode(bytes);
    } catch (error) {
      this.onError(new SessionkitError('codec', 'a stored session could not be decoded; a new session was started in its place', error));
      return undefined;
    }
  }
}

/**
 * Has the store tell `cache` what it drops. The store holds the listener, not the cache: a manager
 * that is no longer used is collected with its cache, and its listener unregisters at the next drop.
 */
function listenForDrops(store: Store, cache: DecodeCache): void {
  if (typeof store.onDrop !== 'function') return;
  const ref = new WeakRef(cache);
  const stop = store.onDrop((key, bytes, reason) => {
    const alive = ref.deref();
    if (alive !== undefined) alive.dropped(key, bytes, reason);
    else stop();
  });
}
function ignore(): void {}

/** A store's touch moved the entry unless it said false (a store may resolve nothing). */
function wasMoved(touched: void | boolean): boolean {
  return touched !== false;
}
