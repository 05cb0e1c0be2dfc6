// SessionManager: options, load and commit (with promise-free fast paths), the end-of-request save, iterate.
import type { Codec } from './codec.js';
import { CookieSerializer, findCookie, type ResolvedCookieOptions } from './cookie.js';
import { SessionkitError } from './errors.js';
import { loadTrace } from './events.js';
import { commitObserved, commitWatched } from './events-commit.js';
import { tracedLoad } from './events-trace.js';
import { resolveOptions, type SessionOptions } from './options.js';
import { type Session, type SessionData, sessionInternals } from './session.js';
import { commitSession } from './session-commit.js';
import { SessionIO } from './session-io.js';
import { canIterate, isPromiseLike, type Store } from './store.js';
import { isToken } from './token.js';
import { type DestroySessionsOptions, type ListedSession, type ListSessionsOptions, UserSessions } from './users.js';

// session.ts is evaluated before this module, so its static block has run.
const access = sessionInternals;

/** The token and store expiry of a committed session. */
export interface CommitResult {
  /** The session token, for the cookie (or the token header); never log it. */
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
export class SessionManager<Data extends object = SessionData> {
  /** The store sessions are kept in (`options.store`, default a new `MemoryStore`). */
  readonly store: Store;
  /** Absolute lifetime of a session from its creation, ms (`options.lifetime`, default 24 h). */
  readonly lifetime: number;
  /** Idle timeout, ms; 0 when off (`options.idleTimeout`, the default). */
  readonly idleTimeout: number;
  /** The cookie options with every default applied. */
  readonly cookie: ResolvedCookieOptions;
  /** The codec sessions are encoded with (`options.codec`, default `msgpackCodec`). */
  readonly codec: Codec;
  /** True when the store is keyed by `sha256(token)` instead of the token (`options.hashTokenInStore`). */
  readonly hashTokenInStore: boolean;
  /** Largest encoded session a commit writes, in bytes. */
  readonly maxSessionBytes: number;
  /** Called with problems sessionkit recovered from on its own, such as stored bytes it could not decode (`options.onError`). */
  readonly onError: (error: SessionkitError) => void;
  /** Most sessions one user may have (oldest destroyed on a login past it); undefined for no limit. */
  readonly maxSessionsPerUser: number | undefined;
  /** Most bytes of decoded sessions kept (estimated heap size); 0 when the cache is off. */
  readonly decodeCacheBytes: number;
  readonly #cookies: CookieSerializer;
  readonly #io: SessionIO;
  readonly #users: UserSessions;

  constructor(options: SessionOptions = {}) {
    const resolved = resolveOptions(options);
    this.store = resolved.store;
    this.lifetime = resolved.lifetime;
    this.idleTimeout = resolved.idleTimeout;
    this.cookie = resolved.cookie;
    this.codec = resolved.codec;
    this.hashTokenInStore = resolved.hashTokenInStore;
    this.maxSessionBytes = resolved.maxSessionBytes;
    this.onError = resolved.onError;
    this.#cookies = new CookieSerializer(resolved.cookie);
    this.maxSessionsPerUser = resolved.maxSessionsPerUser;
    this.decodeCacheBytes = resolved.decodeCacheBytes;
    this.#io = new SessionIO(resolved);
    this.#users = new UserSessions(this.#io, resolved.maxSessionsPerUser);
  }

  /** The session token in a Cookie header, or undefined when absent or not token-shaped. */
  tokenFromCookie(cookieHeader: string | undefined): string | undefined {
    const value = findCookie(cookieHeader, this.#cookies.name);
    return isToken(value) ? value : undefined;
  }

  /**
   * The session for `token`. A missing, malformed, unknown or expired token gives a new empty
   * session; a store failure rejects.
   */
  load(token?: string | null): Promise<Session<Data>> {
    try {
      return Promise.resolve(loadTrace.hasSubscribers ? tracedLoad<Data>(this.#io, token) : this.#io.load<Data>(token));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** `load` without a promise when the store answers synchronously. Throws (or rejects) on store failure. */
  loadNow(token?: string | null): Session<Data> | Promise<Session<Data>> {
    return loadTrace.hasSubscribers ? tracedLoad<Data>(this.#io, token) : this.#io.load<Data>(token);
  }

  /**
   * Writes the session to the store (a new session gets its token here) and returns token and expiry.
   * A destroyed session is not written: `{ token: '', expiresAt: 0 }`; neither are the changes of a
   * session destroyed or renewed elsewhere since it was loaded (same result). Changes made to a
   * session that another request committed since are merged with that request's. Rejects with a
   * `SessionkitError`, writing nothing, when the encoded session is over `maxSessionBytes`.
   */
  commit(session: Session<Data>): Promise<CommitResult> {
    if (session.status === 'destroyed') return Promise.resolve(notWritten());
    try {
      const written = commitWatched() ? commitObserved(this.#io, session) : commitSession(this.#io, session);
      if (isPromiseLike<boolean>(written)) return Promise.resolve(written).then((done) => commitResult(session, done));
      return Promise.resolve(commitResult(session, written));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * The end-of-request step for adapters: commits a modified session, slides the expiry of an
   * unmodified one under an idle timeout, and says what to do with the cookie. Synchronous when
   * the store is. Once the modified session's bytes are encoded it reads 'unmodified', so a change
   * made while the write is in flight (or a response streams) marks it modified again. A session
   * destroyed or renewed elsewhere since this request loaded it gets `SaveAction.None`: its changes
   * are dropped and no cookie is sent.
   */
  saveNow(session: Session<Data>): SaveAction | Promise<SaveAction> {
    const status = session.status;
    if (status === 'modified') {
      const written = commitWatched() ? commitObserved(this.#io, session) : commitSession(this.#io, session);
      access.markSaved(session);
      if (isPromiseLike<boolean>(written)) return Promise.resolve(written).then(cookieAction);
      return written ? SaveAction.SetCookie : SaveAction.None;
    }
    if (status === 'destroyed') return SaveAction.ClearCookie;
    if (this.idleTimeout === 0 || session.token === '') return SaveAction.None;
    const touched = this.#io.touch(session);
    if (isPromiseLike<boolean>(touched)) return Promise.resolve(touched).then(cookieAction);
    return touched ? SaveAction.SetCookie : SaveAction.None;
  }

  /** The Set-Cookie header value for a save action other than None. */
  setCookieHeader(session: Session<Data>, action: SaveAction): string {
    const cookies = this.#cookies;
    if (action === SaveAction.ClearCookie) return cookies.clear();
    if (cookies.persist || access.remembered(session)) return cookies.serialize(session.token, access.expiresAt(session));
    return cookies.serialize(session.token);
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
      const session = this.#io.entry<Data>(key, data);
      if (session === undefined) continue;
      await fn(session);
      if (session.status === 'modified') await (commitWatched() ? commitObserved(this.#io, session) : commitSession(this.#io, session));
    }
  }

  /**
   * The live sessions of a user (see `session.login()`), newest first, with their handle, creation
   * time, store expiry and data: for a "your devices" page. Costs one lookup in the store's owner
   * index, never a scan. Lists at most `options.limit` sessions (default 1000), the newest.
   * Rejects with a `SessionkitError` for a store without `findByOwner()`.
   */
  listSessions(userId: string | number, options?: ListSessionsOptions): Promise<ListedSession<Data>[]> {
    return this.#users.list<Data>(userId, options);
  }

  /** Destroys the session with `handle` if it is one of `userId`'s; resolves true if one was destroyed. */
  destroySession(userId: string | number, handle: string): Promise<boolean> {
    return this.#users.destroyOne(userId, handle);
  }

  /**
   * Destroys every session of `userId` except `options.except` (a Session or a handle): "log out
   * everywhere (else)". Resolves to the number destroyed.
   */
  destroySessions(userId: string | number, options?: DestroySessionsOptions<Data>): Promise<number> {
    return this.#users.destroyAll<Data>(userId, options);
  }

  /** Store expiry for a session: its deadline, or sooner under an idle timeout. */
  expiryOf(session: Session<Data>, now?: number): number {
    return this.#io.expiryOf(session, now);
  }
}

function cookieAction(written: boolean): SaveAction {
  return written ? SaveAction.SetCookie : SaveAction.None;
}

function commitResult<Data extends object>(session: Session<Data>, written: boolean): CommitResult {
  return written ? { token: session.token, expiresAt: access.expiresAt(session) } : notWritten();
}

function notWritten(): CommitResult {
  return { token: '', expiresAt: 0 };
}
