// SessionManager: options, load and commit (with promise-free fast paths), the end-of-request save, iterate.
import type { Codec, SessionRecord } from './codec.js';
import { CookieSerializer, findCookie, type ResolvedCookieOptions } from './cookie.js';
import { DecodeCache } from './decode-cache.js';
import { SessionkitError } from './errors.js';
import { resolveOptions, type SessionOptions } from './options.js';
import { Session, type SessionData, type SessionHost } from './session.js';
import { canIterate, isPromiseLike, type Store } from './store.js';
import { generateToken, hashToken, isToken } from './token.js';

/** Most decoded sessions the manager keeps for stores with stable bytes. */
const DECODE_CACHE_LIMIT = 50_000;

/** The token and store expiry of a committed session. */
export interface CommitResult {
  token: string;
  /** ms since epoch */
  expiresAt: number;
}

/** What the response must do with the session cookie after `save`. */
export const SaveAction = { None: 0, SetCookie: 1, ClearCookie: 2 } as const;
export type SaveAction = (typeof SaveAction)[keyof typeof SaveAction];

/**
 * Loads sessions before a handler and saves them after. Adapters (`sessionkit/uws`,
 * `sessionkit/node`) call `loadNow` and `saveNow`; application code uses `load`, `commit`, `iterate`.
 *
 * @example
 * const sessions = new SessionManager<{ userId: number }>({ lifetime: 60 * 60 * 1000 });
 * const session = await sessions.load(tokenFromCookie);
 * session.put('userId', 7);
 * const { token, expiresAt } = await sessions.commit(session);
 */
export class SessionManager<Data extends object = SessionData> implements SessionHost {
  readonly store: Store;
  readonly lifetime: number;
  readonly idleTimeout: number;
  readonly cookie: ResolvedCookieOptions;
  readonly codec: Codec;
  readonly hashTokenInStore: boolean;
  readonly onError: (error: SessionkitError) => void;
  /** @internal */ readonly cookies: CookieSerializer;
  private readonly decoded: DecodeCache | undefined;

  constructor(options: SessionOptions = {}) {
    const resolved = resolveOptions(options);
    this.store = resolved.store;
    this.lifetime = resolved.lifetime;
    this.idleTimeout = resolved.idleTimeout;
    this.cookie = resolved.cookie;
    this.codec = resolved.codec;
    this.hashTokenInStore = resolved.hashTokenInStore;
    this.onError = resolved.onError;
    this.cookies = new CookieSerializer(resolved.cookie);
    this.decoded = this.store.stableBytes === true ? new DecodeCache(DECODE_CACHE_LIMIT) : undefined;
  }

  /** The session token in a Cookie header, or undefined when absent or not token-shaped. */
  tokenFromCookie(cookieHeader: string | undefined): string | undefined {
    const value = findCookie(cookieHeader, this.cookies.name);
    return isToken(value) ? value : undefined;
  }

  /**
   * The session for `token`. A missing, malformed, unknown or expired token gives a new empty
   * session; a store failure rejects.
   */
  load(token?: string | null): Promise<Session<Data>> {
    try {
      return Promise.resolve(this.loadNow(token));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** `load` without a promise when the store answers synchronously. Throws (or rejects) on store failure. */
  loadNow(token?: string | null): Session<Data> | Promise<Session<Data>> {
    if (!isToken(token)) return this.newSession();
    const key = this.storeKey(token);
    const found = this.store.find(key);
    if (isPromiseLike<Uint8Array | undefined>(found)) {
      return Promise.resolve(found).then((bytes) => this.sessionFrom(token, key, bytes));
    }
    return this.sessionFrom(token, key, found);
  }

  /**
   * Writes the session to the store (a new session gets its token here) and returns token and expiry.
   * A destroyed session is not written: `{ token: '', expiresAt: 0 }`.
   */
  commit(session: Session<Data>): Promise<CommitResult> {
    if (session._status === 'destroyed') return Promise.resolve({ token: '', expiresAt: 0 });
    try {
      const written = this.writeNow(session);
      if (isPromiseLike(written)) return Promise.resolve(written).then(() => commitResult(session));
      return Promise.resolve(commitResult(session));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * The end-of-request step for adapters: commits a modified session, slides the expiry of an
   * unmodified one under an idle timeout, and says what to do with the cookie. Synchronous when
   * the store is.
   */
  saveNow(session: Session<Data>): SaveAction | Promise<SaveAction> {
    let written: void | Promise<void>;
    if (session._status === 'modified') written = this.writeNow(session);
    else if (session._status === 'destroyed') return SaveAction.ClearCookie;
    else if (this.idleTimeout > 0 && session._token !== '') written = this.touchNow(session);
    else return SaveAction.None;
    if (isPromiseLike(written)) return Promise.resolve(written).then(setCookieAction);
    return SaveAction.SetCookie;
  }

  /** The Set-Cookie header value for a save action other than None. */
  setCookieHeader(session: Session<Data>, action: SaveAction): string {
    if (action === SaveAction.ClearCookie) return this.cookies.clear();
    if (this.cookies.persist || session.remembered) return this.cookies.serialize(session._token, session._expiresAt);
    return this.cookies.serialize(session._token);
  }

  /**
   * Calls `fn` for every live session in the store (the store needs `all()`). Changes made by
   * `fn` are committed; `destroy()` deletes. Entries that cannot be decoded are reported and skipped.
   */
  async iterate(fn: (session: Session<Data>) => void | Promise<void>): Promise<void> {
    const store = this.store;
    if (!canIterate(store)) {
      throw new SessionkitError('iterate', 'the store does not offer all(), so its sessions cannot be listed');
    }
    for await (const [key, data] of store.all()) {
      const record = this.decode(data);
      if (record === undefined || record.deadline <= Date.now()) continue;
      // With hashTokenInStore the store only knows sha256(token): the session keeps that key
      // and commits or deletes by it, without hashing it again.
      const token = this.hashTokenInStore ? '' : key;
      const session = new Session<Data>(this, token, key, record.values, false, record.deadline);
      await fn(session);
      if (session._status === 'modified') await this.writeNow(session);
    }
  }

  /** @internal SessionHost */
  storeKey(token: string): string {
    return this.hashTokenInStore ? hashToken(token) : token;
  }

  /** @internal SessionHost */
  deleteKey(key: string): void | Promise<void> {
    this.decoded?.delete(key);
    return this.store.delete(key);
  }

  /** @internal SessionHost */
  findRecord(token: string): SessionRecord | undefined | Promise<SessionRecord | undefined> {
    const found = this.store.find(this.storeKey(token));
    if (isPromiseLike<Uint8Array | undefined>(found)) return Promise.resolve(found).then((bytes) => this.liveRecord(bytes));
    return this.liveRecord(found);
  }

  /** Store expiry for a session: its deadline, or sooner under an idle timeout. */
  expiryOf(session: Session<Data>, now = Date.now()): number {
    if (this.idleTimeout > 0) return Math.min(session._deadline, now + this.idleTimeout);
    return session._deadline;
  }

  private newSession(): Session<Data> {
    return new Session<Data>(this, '', '', new Map(), false, Date.now() + this.lifetime);
  }

  private sessionFrom(token: string, key: string, bytes: Uint8Array | undefined): Session<Data> {
    if (bytes === undefined) return this.newSession();
    const cache = this.decoded;
    const cached = cache?.get(key, bytes);
    if (cached !== undefined) {
      if (cached.deadline <= Date.now()) return this.newSession();
      return new Session<Data>(this, token, key, cached.values, true, cached.deadline);
    }
    const record = this.liveRecord(bytes);
    if (record === undefined) return this.newSession();
    if (cache !== undefined) cache.set(key, bytes, record.deadline, record.values);
    return new Session<Data>(this, token, key, record.values, cache !== undefined, record.deadline);
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

  private writeNow(session: Session<Data>): void | Promise<void> {
    if (session._token === '' && session._key === '') session._token = generateToken();
    const expiresAt = this.expiryOf(session);
    session._expiresAt = expiresAt;
    const key = session.storeKey();
    const written = this.store.commit(key, this.codec.encode(session._deadline, session._values), expiresAt);
    if (this.decoded !== undefined && !isPromiseLike(written)) this.rememberDecoded(session, key);
    return written;
  }

  /**
   * After a synchronous commit, files the session's values under the bytes the store now holds,
   * so the next request for it skips decoding. The values become shared: a later write copies them.
   */
  private rememberDecoded(session: Session<Data>, key: string): void {
    const kept = this.store.find(key);
    if (kept === undefined || isPromiseLike(kept)) return;
    this.decoded!.set(key, kept, session._deadline, session._values);
    session._shared = true;
  }

  private touchNow(session: Session<Data>): void | Promise<void> {
    const expiresAt = this.expiryOf(session);
    session._expiresAt = expiresAt;
    const key = session.storeKey();
    if (this.store.touch !== undefined) return this.store.touch(key, expiresAt);
    return this.store.commit(key, this.codec.encode(session._deadline, session._values), expiresAt);
  }
}

function setCookieAction(): SaveAction {
  return SaveAction.SetCookie;
}

function commitResult(session: { _token: string; _expiresAt: number }): CommitResult {
  return { token: session._token, expiresAt: session._expiresAt };
}
