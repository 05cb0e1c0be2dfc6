// The per-request Session: its values, status, token and deadline, what this request changed, and the operations of SCS's data.go.
import { Changes, copyEntry } from './changes.js';
import {
  copyIdentity,
  HANDLE_KEY,
  hasData,
  ensureIdentity,
  handleOf,
  isIdentityKey,
  LOGIN_AT_KEY,
  isReservedKey,
  REMEMBER_ME_KEY,
  reservedKeyError,
  USER_ID_KEY,
  userIdOf,
  userIdString,
} from './identity.js';
import type { SessionRecord } from './codec.js';
import { recordRenewal } from './renewal.js';
import type { CachedRecord } from './decode-cache.js';
import { lifecycle } from './events.js';
import { publishDestroyed, publishSession } from './events-publish.js';
import type { SessionHost, SessionInternals } from './session-internals.js';
import type { SessionData, SessionKey, SessionStatus } from './session-types.js';
import { generateToken, isToken } from './token.js';
import { asBool, asBytes, asDate, asNumber, asString } from './value-types.js';

export { REMEMBER_ME_KEY } from './identity.js';
export type { SessionData, SessionKey, SessionStatus } from './session-types.js';

const UNMODIFIED = 0;
const MODIFIED = 1;
const DESTROYED = 2;
const STATUS = 3;
const SHARED = 4;
const STATUS_NAMES: readonly SessionStatus[] = ['unmodified', 'modified', 'destroyed'];

/** The only way into a Session's state from outside this file; set by Session's static block. @internal */
export let sessionInternals!: SessionInternals;

/**
 * One request's view of a session. Values returned by `get` may be shared with the manager's
 * decode cache: treat them as read-only and `put` a new value to change one.
 */
export class Session<Data extends object = SessionData> {
  #host: SessionHost;
  /** The token the client holds; '' for a new session until its first commit. */
  #token: string;
  /** The store key; '' until derived from the token. */
  #key: string;
  /**
   * The deadline and values. While SHARED, the record or its values are also held by the decode
   * cache (or a commit in flight): a change first makes the session a record of its own. One field
   * for both, so a request that only reads shares the cache's record instead of copying it.
   */
  #record: SessionRecord;
  /** The status (UNMODIFIED, MODIFIED or DESTROYED), plus SHARED (see `#record`). */
  #state: number;
  /** Store expiry set by the last commit or touch (ms since epoch); undefined before (a tagged field: no number box per read). */
  #expiresAt: number | undefined;
  /**
   * The stored bytes this session was loaded from or last committed as (undefined for a new or
   * renewed session); once something changes, the Changes since then, which hold those bytes.
   * One field, so a request that only reads carries no more than its bytes.
   */
  #origin: Uint8Array | Changes | undefined;

  static {
    sessionInternals = {
      create: (host) => new Session(host, '', '', ownRecord(Date.now() + host.lifetime, new Map()), false, undefined),
      open: (host, token, key, record, shared, bytes) => new Session(host, token, key, record, shared, bytes),
      values: (session) => session.#record.values,
      remembered: (session) => session.#record.values.get(REMEMBER_ME_KEY) === true,
      storeKey: (session) => Session.#storeKey(session),
      commitKey(session) {
        if (session.#token === '' && session.#key === '') session.#token = generateToken();
        return Session.#storeKey(session);
      },
      retoken(session) {
        session.#token = generateToken();
        session.#key = '';
        return Session.#storeKey(session);
      },
      expiresAt: (session) => session.#expiresAt ?? 0,
      setExpiresAt(session, expiresAt) {
        session.#expiresAt = expiresAt;
      },
      fileRecord(session, bytes) {
        const record = session.#record as CachedRecord;
        if ((session.#state & SHARED) !== 0) return { deadline: record.deadline, values: record.values, bytes };
        record.bytes = bytes;
        session.#state |= SHARED;
        return record;
      },
      share(session) {
        session.#state |= SHARED;
        return session.#record.values;
      },
      markSaved(session) {
        if ((session.#state & STATUS) === MODIFIED) session.#state &= ~MODIFIED;
      },
      identify(session) {
        if (session.#record.values.has(HANDLE_KEY)) return;
        if ((session.#state & SHARED) !== 0) Session.#copyRecord(session);
        ensureIdentity(session.#record.values, Date.now());
      },
      loaded(session) {
        const origin = session.#origin;
        return origin instanceof Changes ? origin.loaded : origin;
      },
      takeChanges(session) {
        const origin = session.#origin;
        if (!(origin instanceof Changes)) return undefined;
        session.#origin = origin.loaded;
        return origin;
      },
      setLoaded: (session, bytes) => Session.#setLoaded(session, bytes),
      pending: (session) => (session.#origin instanceof Changes ? session.#origin : undefined),
      replace(session, values, deadline) {
        session.#record = ownRecord(deadline, values);
        session.#state &= ~SHARED;
      },
    };
  }

  private constructor(host: SessionHost, token: string, key: string, record: SessionRecord, shared: boolean, loaded: Uint8Array | undefined) {
    this.#host = host;
    this.#token = token;
    this.#key = key;
    this.#record = record;
    this.#state = shared ? UNMODIFIED | SHARED : UNMODIFIED;
    this.#expiresAt = undefined;
    this.#origin = loaded;
  }

  /** 'unmodified' | 'modified' | 'destroyed' */
  get status(): SessionStatus {
    return STATUS_NAMES[this.#state & STATUS]!;
  }

  /** The session token; '' until the session is first committed. */
  get token(): string {
    return this.#token;
  }

  /** Absolute deadline, ms since epoch: the session ends then whatever the idle timeout. */
  get deadline(): number {
    return this.#record.deadline;
  }

  /** The user id given to `login()` (a number as its string); undefined when no user logged in. */
  get userId(): string | undefined {
    return userIdOf(this.#record.values);
  }

  /**
   * A non-secret id of this session, made at its first commit and kept across `renewToken()` and
   * `login()` ('' before the first commit). Never the token, not derived from it: safe to show,
   * log, or pass to `sessions.destroySession(userId, handle)`.
   */
  get handle(): string {
    return handleOf(this.#record.values);
  }

  /** Moves the absolute deadline (ms since epoch) and marks the session modified. */
  setDeadline(deadline: number): void {
    if (typeof deadline !== 'number' || !Number.isFinite(deadline)) {
      throw new TypeError('sessionkit: session.setDeadline() takes ms since epoch as a finite number');
    }
    Session.#writable(this);
    Session.#change(this).deadlineSet = true;
    this.#record.deadline = deadline;
  }

  /** The value under `key`, or undefined. Treat it as read-only: `put` a new value to change it. */
  get<K extends SessionKey<Data>>(key: K): Data[K] | undefined {
    return this.#record.values.get(key) as Data[K] | undefined;
  }

  /** Sets a value (anything the codec carries) and marks the session modified. The keys sessionkit keeps (`__handle`, `__createdAt`, `__userId`) are a TypeError. */
  put<K extends SessionKey<Data>>(key: K, value: Data[K]): void {
    if (isIdentityKey(key)) throw reservedKeyError(key);
    Session.#writable(this).set(key, value);
    Session.#change(this).touch(key);
  }

  /** Removes and returns a value (undefined when absent). */
  pop<K extends SessionKey<Data>>(key: K): Data[K] | undefined {
    if (!this.#record.values.has(key)) return undefined;
    const value = this.#record.values.get(key) as Data[K];
    this.remove(key);
    return value;
  }

  /** Deletes a value; marks the session modified only when the key was there. */
  remove(key: SessionKey<Data>): void {
    if (!this.#record.values.has(key)) return;
    if (isIdentityKey(key)) throw reservedKeyError(key);
    Session.#writable(this).delete(key);
    Session.#change(this).touch(key);
  }

  /** Removes every value (rememberMe included, as in SCS), also ones another request adds before this one commits; keeps the session's identity. */
  clear(): void {
    if (!hasData(this.#record.values)) return;
    const kept = new Map<string, unknown>();
    copyIdentity(this.#record.values, kept);
    Session.#writable(this);
    this.#record.values = kept;
    Session.#change(this).cleared = true;
  }

  /** True when the session holds a value under `key`. */
  exists(key: SessionKey<Data>): boolean {
    return this.#record.values.has(key);
  }

  /** Keys in sorted order, without the keys sessionkit keeps in the values (rememberMe, handle, user id). */
  keys(): SessionKey<Data>[] {
    const keys: string[] = [];
    for (const key of this.#record.values.keys()) if (!isReservedKey(key)) keys.push(key);
    return keys.sort() as SessionKey<Data>[];
  }

  /** The value if it is a string, else ''. */
  getString(key: SessionKey<Data>): string {
    return asString(this.#record.values.get(key));
  }

  /** The value if it is a number, else 0. */
  getNumber(key: SessionKey<Data>): number {
    return asNumber(this.#record.values.get(key));
  }

  /** The value if it is a boolean, else false. */
  getBool(key: SessionKey<Data>): boolean {
    return asBool(this.#record.values.get(key));
  }

  /** The value if it is a Uint8Array (Buffer included), else an empty one. */
  getBytes(key: SessionKey<Data>): Uint8Array {
    return asBytes(this.#record.values.get(key));
  }

  /** The value if it is a valid Date, else undefined. */
  getDate(key: SessionKey<Data>): Date | undefined {
    return asDate(this.#record.values.get(key));
  }

  /** Removes the value and returns it if it is a string, else ''. */
  popString(key: SessionKey<Data>): string {
    return asString(this.pop(key));
  }

  /** Removes the value and returns it if it is a number, else 0. */
  popNumber(key: SessionKey<Data>): number {
    return asNumber(this.pop(key));
  }

  /** Removes the value and returns it if it is a boolean, else false. */
  popBool(key: SessionKey<Data>): boolean {
    return asBool(this.pop(key));
  }

  /** Removes the value and returns it if it is a Uint8Array, else an empty one. */
  popBytes(key: SessionKey<Data>): Uint8Array {
    return asBytes(this.pop(key));
  }

  /** Removes the value and returns it if it is a valid Date, else undefined. */
  popDate(key: SessionKey<Data>): Date | undefined {
    return asDate(this.pop(key));
  }

  /** Makes the cookie persistent for this session even when `cookie.persist` is false (or not, with false). */
  rememberMe(remember: boolean): void {
    Session.#writable(this).set(REMEMBER_ME_KEY, remember === true);
    Session.#change(this).touch(REMEMBER_ME_KEY);
  }

  /**
   * Gives the session a new token (call it on login and privilege change: fixation defence).
   * The old entry is deleted from the store, the data kept, and the lifetime starts again. A
   * request still holding the old token commits nothing afterwards, and is never sent the new one.
   * When saving the renewed session then fails, the old entry is written back: the user keeps the
   * session they had.
   */
  renewToken(): Promise<void> {
    const announced = lifecycle.renewed.hasSubscribers && Session.#storeKey(this) !== '';
    const renewed = Session.#renew(this);
    return announced ? renewed.then(() => publishSession(lifecycle.renewed, this.#host.storeName, this.#record.values)) : renewed;
  }

  /**
   * Logs `userId` in: renews the token (see `renewToken`) and binds the session to the user, so
   * `sessions.listSessions(userId)` lists it. Takes a non-empty string or an integer (kept as its
   * string), at most 255 characters.
   */
  async login(userId: string | number): Promise<void> {
    const id = userIdString(userId, 'session.login()');
    await Session.#renew(this);
    const values = this.#record.values;
    values.set(USER_ID_KEY, id);
    values.set(LOGIN_AT_KEY, Date.now());
    const changes = Session.#change(this);
    changes.touch(USER_ID_KEY);
    changes.touch(LOGIN_AT_KEY);
    changes.login = true;
  }

  /**
   * Deletes the session from the store; the response clears the cookie. A later `put` in the same
   * request starts a new session with a new token. A request still holding the old token commits
   * nothing afterwards.
   */
  async destroy(): Promise<void> {
    const oldKey = Session.#storeKey(this);
    const announced = oldKey !== '' && lifecycle.destroyed.hasSubscribers ? this.#record.values : undefined;
    this.#state = DESTROYED;
    this.#record = ownRecord(Date.now() + this.#host.lifetime, new Map());
    this.#token = '';
    this.#key = '';
    this.#origin = undefined;
    if (oldKey !== '') await this.#host.deleteKey(oldKey);
    if (announced !== undefined) publishDestroyed(this.#host.storeName, handleOf(announced), userIdOf(announced), 'app');
  }

  /**
   * SCS MergeSession: copies the values of the session with `token` into this one (theirs win on
   * conflict, this session keeps its own identity), keeps the later deadline, and deletes the
   * other session. Unknown tokens are ignored.
   */
  async mergeSession(token: string): Promise<void> {
    if (!isToken(token) || token === this.#token) return;
    const record = await this.#host.findRecord(token);
    if (record === undefined) return;
    Session.#writable(this);
    for (const [key, value] of record.values) if (!isIdentityKey(key)) this.put(key as SessionKey<Data>, value as Data[SessionKey<Data>]);
    if (record.deadline > this.#record.deadline) this.setDeadline(record.deadline);
    await this.#host.deleteKey(this.#host.storeKey(token));
  }

  // Static, not instance, private methods: an instance private method gives every Session a brand field.

  /** renewToken without its event (login announces itself at its commit). */
  static async #renew<D extends object>(session: Session<D>): Promise<void> {
    const oldKey = Session.#storeKey(session);
    if (oldKey !== '') {
      const origin = session.#origin;
      const loaded = origin instanceof Changes ? origin.loaded : origin;
      await session.#host.deleteKey(oldKey);
      if (loaded !== undefined) {
        const expiresAt = session.#expiresAt ?? session.#host.expiryFor(session.#record.deadline);
        recordRenewal(session, { key: oldKey, bytes: loaded, expiresAt, owner: userIdOf(session.#record.values) });
      }
    }
    Session.#writable(session);
    session.#token = generateToken();
    session.#key = '';
    Session.#setLoaded(session, undefined);
    session.#record.deadline = Date.now() + session.#host.lifetime;
  }

  /** The store key ('' for a session never committed). */
  static #storeKey<D extends object>(session: Session<D>): string {
    if (session.#key === '' && session.#token !== '') session.#key = session.#host.storeKey(session.#token);
    return session.#key;
  }

  /** The request's changes, made on the first one. */
  static #change<D extends object>(session: Session<D>): Changes {
    const origin = session.#origin;
    return origin instanceof Changes ? origin : (session.#origin = new Changes(origin));
  }

  /** Marks the session modified and returns values that are safe to change. */
  static #writable<D extends object>(session: Session<D>): Map<string, unknown> {
    const state = session.#state;
    if ((state & SHARED) !== 0) Session.#copyRecord(session);
    if ((state & STATUS) === DESTROYED) session.#record.deadline = Date.now() + session.#host.lifetime;
    session.#state = MODIFIED;
    return session.#record.values;
  }

  /** Gives the session a record of its own, with a copy of the values. */
  static #copyRecord<D extends object>(session: Session<D>): void {
    const copy = new Map<string, unknown>();
    session.#record.values.forEach(copyEntry, copy);
    session.#record = ownRecord(session.#record.deadline, copy);
    session.#state &= ~SHARED;
  }

  static #setLoaded<D extends object>(session: Session<D>, bytes: Uint8Array | undefined): void {
    if (session.#origin instanceof Changes) session.#origin.loaded = bytes;
    else session.#origin = bytes;
  }
}

/** A record a session owns, in the decode cache's shape (the session's property reads stay monomorphic, and a commit can file it as it is). */
function ownRecord(deadline: number, values: Map<string, unknown>): CachedRecord {
  return { deadline, values, bytes: undefined };
}
