// The per-request Session: its values, status, token and deadline, what this request changed, and the operations of SCS's data.go.
import { Changes, copyEntry } from './changes.js';
import { copyIdentity, HANDLE_KEY, hasData, ensureIdentity, handleOf, isIdentityKey, isReservedKey, REMEMBER_ME_KEY, reservedKeyError, USER_ID_KEY, userIdOf, userIdString } from './identity.js';
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
  #values: Map<string, unknown>;
  /** The status (UNMODIFIED, MODIFIED or DESTROYED), plus SHARED while `#values` is shared with the decode cache (or a commit in flight) and must be copied before a change. */
  #state: number;
  #deadline: number;
  /** Store expiry set by the last commit or touch (ms since epoch). */
  #expiresAt = 0;
  /**
   * The stored bytes this session was loaded from or last committed as (undefined for a new or
   * renewed session); once something changes, the Changes since then, which hold those bytes.
   * One field, so a request that only reads carries no more than its bytes.
   */
  #origin: Uint8Array | Changes | undefined;

  static {
    sessionInternals = {
      create: (host) => new Session(host, '', '', new Map(), false, Date.now() + host.lifetime, undefined),
      open: (host, token, key, record, shared, bytes) => new Session(host, token, key, record.values, shared, record.deadline, bytes),
      values: (session) => session.#values,
      remembered: (session) => session.#values.get(REMEMBER_ME_KEY) === true,
      storeKey: (session) => session.#storeKey(),
      commitKey(session) {
        if (session.#token === '' && session.#key === '') session.#token = generateToken();
        return session.#storeKey();
      },
      retoken(session) {
        session.#token = generateToken();
        session.#key = '';
        return session.#storeKey();
      },
      expiresAt: (session) => session.#expiresAt,
      setExpiresAt(session, expiresAt) {
        session.#expiresAt = expiresAt;
      },
      share(session) {
        session.#state |= SHARED;
        return session.#values;
      },
      markSaved(session) {
        if ((session.#state & STATUS) === MODIFIED) session.#state &= ~MODIFIED;
      },
      identify(session, now) {
        if (session.#values.has(HANDLE_KEY)) return;
        if ((session.#state & SHARED) !== 0) session.#copyValues();
        ensureIdentity(session.#values, now);
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
      setLoaded: (session, bytes) => session.#setLoaded(bytes),
      pending: (session) => (session.#origin instanceof Changes ? session.#origin : undefined),
      replace(session, values, deadline) {
        session.#values = values;
        session.#state &= ~SHARED;
        session.#deadline = deadline;
      },
    };
  }

  private constructor(host: SessionHost, token: string, key: string, values: Map<string, unknown>, shared: boolean, deadline: number, loaded: Uint8Array | undefined) {
    this.#host = host;
    this.#token = token;
    this.#key = key;
    this.#values = values;
    this.#state = shared ? UNMODIFIED | SHARED : UNMODIFIED;
    this.#deadline = deadline;
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
    return this.#deadline;
  }

  /** The user id given to `login()` (a number as its string); undefined when no user logged in. */
  get userId(): string | undefined {
    return userIdOf(this.#values);
  }

  /**
   * A non-secret id of this session, made at its first commit and kept across `renewToken()` and
   * `login()` ('' before the first commit). Never the token, not derived from it: safe to show,
   * log, or pass to `sessions.destroySession(userId, handle)`.
   */
  get handle(): string {
    return handleOf(this.#values);
  }

  /** Moves the absolute deadline (ms since epoch) and marks the session modified. */
  setDeadline(deadline: number): void {
    if (typeof deadline !== 'number' || !Number.isFinite(deadline)) {
      throw new TypeError('sessionkit: session.setDeadline() takes ms since epoch as a finite number');
    }
    this.#writable();
    this.#change().deadlineSet = true;
    this.#deadline = deadline;
  }

  get<K extends SessionKey<Data>>(key: K): Data[K] | undefined {
    return this.#values.get(key) as Data[K] | undefined;
  }

  put<K extends SessionKey<Data>>(key: K, value: Data[K]): void {
    if (isIdentityKey(key)) throw reservedKeyError(key);
    this.#writable().set(key, value);
    this.#change().touch(key);
  }

  /** Removes and returns a value (undefined when absent). */
  pop<K extends SessionKey<Data>>(key: K): Data[K] | undefined {
    if (!this.#values.has(key)) return undefined;
    const value = this.#values.get(key) as Data[K];
    this.remove(key);
    return value;
  }

  remove(key: SessionKey<Data>): void {
    if (!this.#values.has(key)) return;
    if (isIdentityKey(key)) throw reservedKeyError(key);
    this.#writable().delete(key);
    this.#change().touch(key);
  }

  /** Removes every value (rememberMe included, as in SCS), also ones another request adds before this one commits; keeps the session's identity. */
  clear(): void {
    if (!hasData(this.#values)) return;
    const kept = new Map<string, unknown>();
    copyIdentity(this.#values, kept);
    this.#writable();
    this.#values = kept;
    this.#change().cleared = true;
  }

  exists(key: SessionKey<Data>): boolean {
    return this.#values.has(key);
  }

  /** Keys in sorted order, without the keys sessionkit keeps in the values (rememberMe, handle, user id). */
  keys(): SessionKey<Data>[] {
    const keys: string[] = [];
    for (const key of this.#values.keys()) if (!isReservedKey(key)) keys.push(key);
    return keys.sort() as SessionKey<Data>[];
  }

  /** The value if it is a string, else ''. */
  getString(key: SessionKey<Data>): string {
    return asString(this.#values.get(key));
  }

  /** The value if it is a number, else 0. */
  getNumber(key: SessionKey<Data>): number {
    return asNumber(this.#values.get(key));
  }

  /** The value if it is a boolean, else false. */
  getBool(key: SessionKey<Data>): boolean {
    return asBool(this.#values.get(key));
  }

  /** The value if it is a Uint8Array (Buffer included), else an empty one. */
  getBytes(key: SessionKey<Data>): Uint8Array {
    return asBytes(this.#values.get(key));
  }

  /** The value if it is a valid Date, else undefined. */
  getDate(key: SessionKey<Data>): Date | undefined {
    return asDate(this.#values.get(key));
  }

  popString(key: SessionKey<Data>): string {
    return asString(this.pop(key));
  }

  popNumber(key: SessionKey<Data>): number {
    return asNumber(this.pop(key));
  }

  popBool(key: SessionKey<Data>): boolean {
    return asBool(this.pop(key));
  }

  popBytes(key: SessionKey<Data>): Uint8Array {
    return asBytes(this.pop(key));
  }

  popDate(key: SessionKey<Data>): Date | undefined {
    return asDate(this.pop(key));
  }

  /** Makes the cookie persistent for this session even when `cookie.persist` is false (or not, with false). */
  rememberMe(remember: boolean): void {
    this.#writable().set(REMEMBER_ME_KEY, remember === true);
    this.#change().touch(REMEMBER_ME_KEY);
  }

  /**
   * Gives the session a new token (call it on login and privilege change: fixation defence).
   * The old entry is deleted from the store, the data kept, and the lifetime starts again. A
   * request still holding the old token commits nothing afterwards, and is never sent the new one.
   */
  async renewToken(): Promise<void> {
    const oldKey = this.#storeKey();
    if (oldKey !== '') await this.#host.deleteKey(oldKey);
    this.#writable();
    this.#token = generateToken();
    this.#key = '';
    this.#setLoaded(undefined);
    this.#deadline = Date.now() + this.#host.lifetime;
  }

  /**
   * Logs `userId` in: renews the token (see `renewToken`) and binds the session to the user, so
   * `sessions.listSessions(userId)` lists it. Takes a non-empty string or an integer (kept as its
   * string), at most 255 characters.
   */
  async login(userId: string | number): Promise<void> {
    const id = userIdString(userId, 'session.login()');
    await this.renewToken();
    this.#values.set(USER_ID_KEY, id);
    const changes = this.#change();
    changes.touch(USER_ID_KEY);
    changes.login = true;
  }

  /**
   * Deletes the session from the store; the response clears the cookie. A later `put` in the same
   * request starts a new session with a new token. A request still holding the old token commits
   * nothing afterwards.
   */
  async destroy(): Promise<void> {
    const oldKey = this.#storeKey();
    this.#state = DESTROYED;
    this.#deadline = Date.now() + this.#host.lifetime;
    this.#token = '';
    this.#key = '';
    this.#values = new Map();
    this.#origin = undefined;
    if (oldKey !== '') await this.#host.deleteKey(oldKey);
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
    this.#writable();
    for (const [key, value] of record.values) if (!isIdentityKey(key)) this.put(key as SessionKey<Data>, value as Data[SessionKey<Data>]);
    if (record.deadline > this.#deadline) this.setDeadline(record.deadline);
    await this.#host.deleteKey(this.#host.storeKey(token));
  }

  /** The store key ('' for a session never committed). */
  #storeKey(): string {
    if (this.#key === '' && this.#token !== '') this.#key = this.#host.storeKey(this.#token);
    return this.#key;
  }

  /** The request's changes, made on the first one. */
  #change(): Changes {
    const origin = this.#origin;
    return origin instanceof Changes ? origin : (this.#origin = new Changes(origin));
  }

  /** Marks the session modified and returns values that are safe to change. */
  #writable(): Map<string, unknown> {
    const state = this.#state;
    if ((state & STATUS) === DESTROYED) this.#deadline = Date.now() + this.#host.lifetime;
    this.#state = MODIFIED;
    if ((state & SHARED) !== 0) this.#copyValues();
    return this.#values;
  }

  #copyValues(): void {
    const copy = new Map<string, unknown>();
    this.#values.forEach(copyEntry, copy);
    this.#values = copy;
    this.#state &= ~SHARED;
  }

  #setLoaded(bytes: Uint8Array | undefined): void {
    if (this.#origin instanceof Changes) this.#origin.loaded = bytes;
    else this.#origin = bytes;
  }
}
