// The manager's store path: store keys, loading through the decode cache, encoding within the size limit, commit and touch.
import type { Codec, SessionRecord } from './codec.js';
import { DecodeCache } from './decode-cache.js';
import { SessionkitError } from './errors.js';
import type { ResolvedOptions } from './options.js';
import { type Session, sessionInternals } from './session.js';
import type { SessionHost } from './session-internals.js';
import { isPromiseLike, type Store } from './store.js';
import { hashToken, isToken } from './token.js';

/** Most decoded sessions the manager keeps for stores with stable bytes. */
const DECODE_CACHE_LIMIT = 50_000;

// session.ts is evaluated before this module, so its static block has run.
const access = sessionInternals;

/**
 * Reads sessions from the store and writes them back for one SessionManager; the host of every
 * session it makes. Synchronous wherever the store is.
 * @internal
 */
export class SessionIO implements SessionHost {
  readonly store: Store;
  readonly codec: Codec;
  readonly lifetime: number;
  readonly idleTimeout: number;
  readonly hashTokenInStore: boolean;
  readonly maxSessionBytes: number;
  readonly onError: (error: SessionkitError) => void;
  private readonly decoded: DecodeCache | undefined;

  constructor(options: ResolvedOptions) {
    this.store = options.store;
    this.codec = options.codec;
    this.lifetime = options.lifetime;
    this.idleTimeout = options.idleTimeout;
    this.hashTokenInStore = options.hashTokenInStore;
    this.maxSessionBytes = options.maxSessionBytes;
    this.onError = options.onError;
    this.decoded = options.store.stableBytes === true ? new DecodeCache(DECODE_CACHE_LIMIT) : undefined;
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
    return access.open<Data>(this, this.hashTokenInStore ? '' : key, key, record, false);
  }

  /** Store expiry for a session: its deadline, or sooner under an idle timeout. */
  expiryOf<Data extends object>(session: Session<Data>, now = Date.now()): number {
    if (this.idleTimeout > 0) return Math.min(session.deadline, now + this.idleTimeout);
    return session.deadline;
  }

  /**
   * Writes the session (a new one gets its token here, once its bytes are within the limit).
   * Throws, writing nothing, when the encoded session is over maxSessionBytes.
   */
  write<Data extends object>(session: Session<Data>): void | Promise<void> {
    const bytes = this.encode(session);
    const key = access.commitKey(session);
    const expiresAt = this.expiryOf(session);
    access.setExpiresAt(session, expiresAt);
    const written = this.store.commit(key, bytes, expiresAt);
    if (this.decoded !== undefined && !isPromiseLike(written)) this.rememberDecoded(this.decoded, session, key);
    return written;
  }

  /** Slides the store expiry of an unmodified session (rewrites it when the store has no touch). */
  touch<Data extends object>(session: Session<Data>): void | Promise<void> {
    const expiresAt = this.expiryOf(session);
    access.setExpiresAt(session, expiresAt);
    const key = access.storeKey(session);
    if (this.store.touch !== undefined) return this.store.touch(key, expiresAt);
    return this.store.commit(key, this.encode(session), expiresAt);
  }

  private encode<Data extends object>(session: Session<Data>): Uint8Array {
    const bytes = this.codec.encode(session.deadline, access.values(session));
    if (bytes.length > this.maxSessionBytes) {
      throw new SessionkitError('commit', `the encoded session is ${bytes.length} bytes, over maxSessionBytes (${this.maxSessionBytes}); nothing was written`);
    }
    return bytes;
  }

  private sessionFrom<Data extends object>(token: string, key: string, bytes: Uint8Array | undefined): Session<Data> {
    if (bytes === undefined) return this.fresh<Data>();
    const cache = this.decoded;
    const cached = cache?.get(key, bytes);
    if (cached !== undefined) {
      if (cached.deadline <= Date.now()) return this.fresh<Data>();
      return access.open<Data>(this, token, key, cached, true);
    }
    const record = this.liveRecord(bytes);
    if (record === undefined) return this.fresh<Data>();
    if (cache !== undefined) cache.set(key, bytes, record.deadline, record.values);
    return access.open<Data>(this, token, key, record, cache !== undefined);
  }

  private liveRecord(bytes: Uint8Array | undefined): SessionRecord | undefined {
    if (bytes === undefined) return undefined;
    const record = this.decode(bytes);
    return record === undefined || record.deadline <= Date.now() ? undefined : record;
  }

  private decode(bytes: Uint8Array): SessionRecord | undefined {
    try {
      return this.codec.decode(bytes);
    } catch (error) {
      this.onError(new SessionkitError('codec', 'a stored session could not be decoded; a new session was started in its place', error));
      return undefined;
    }
  }

  /**
   * After a synchronous commit, files the session's values under the bytes the store now holds,
   * so the next request for it skips decoding. The values become shared: a later write copies them.
   */
  private rememberDecoded<Data extends object>(cache: DecodeCache, session: Session<Data>, key: string): void {
    const kept = this.store.find(key);
    if (kept === undefined || isPromiseLike(kept)) return;
    cache.set(key, kept, session.deadline, access.share(session));
  }
}
