// The per-request Session: its values, status, token and deadline, and the operations of SCS's data.go.
import type { SessionHost, SessionInternals } from './session-internals.js';
import { generateToken, isToken } from './token.js';

/** What happened to a session during this request. */
export type SessionStatus = 'unmodified' | 'modified' | 'destroyed';

/** The shape of session data; declare your own to type `get` and `put`. */
export type SessionData = Record<string, unknown>;

/** Keys of a declared session shape. */
export type SessionKey<Data> = Extract<keyof Data, string>;

/** The key SCS uses for rememberMe; kept in the values so SCS tooling reads it the same way. */
export const REMEMBER_ME_KEY = '__rememberMe';

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
  /** True while `#values` is shared with the decode cache and must be copied before a write. */
  #shared: boolean;
  #deadline: number;
  #status: SessionStatus = 'unmodified';
  /** Store expiry set by the last commit or touch (ms since epoch). */
  #expiresAt = 0;

  static {
    sessionInternals = {
      create: (host) => new Session(host, '', '', new Map(), false, Date.now() + host.lifetime),
      open: (host, token, key, record, shared) => new Session(host, token, key, record.values, shared, record.deadline),
      values: (session) => session.#values,
      remembered: (session) => session.#values.get(REMEMBER_ME_KEY) === true,
      storeKey: (session) => session.#storeKey(),
      commitKey(session) {
        if (session.#token === '' && session.#key === '') session.#token = generateToken();
        return session.#storeKey();
      },
      expiresAt: (session) => session.#expiresAt,
      setExpiresAt(session, expiresAt) {
        session.#expiresAt = expiresAt;
      },
      share(session) {
        session.#shared = true;
        return session.#values;
      },
      markSaved(session) {
        if (session.#status === 'modified') session.#status = 'unmodified';
      },
    };
  }

  private constructor(host: SessionHost, token: string, key: string, values: Map<string, unknown>, shared: boolean, deadline: number) {
    this.#host = host;
    this.#token = token;
    this.#key = key;
    this.#values = values;
    this.#shared = shared;
    this.#deadline = deadline;
  }

  /** 'unmodified' | 'modified' | 'destroyed' */
  get status(): SessionStatus {
    return this.#status;
  }

  /** The session token; '' until the session is first committed. */
  get token(): string {
    return this.#token;
  }

  /** Absolute deadline, ms since epoch: the session ends then whatever the idle timeout. */
  get deadline(): number {
    return this.#deadline;
  }

  /** Moves the absolute deadline (ms since epoch) and marks the session modified. */
  setDeadline(deadline: number): void {
    if (typeof deadline !== 'number' || !Number.isFinite(deadline)) {
      throw new TypeError('sessionkit: session.setDeadline() takes ms since epoch as a finite number');
    }
    this.#writable();
    this.#deadline = deadline;
  }

  get<K extends SessionKey<Data>>(key: K): Data[K] | undefined {
    return this.#values.get(key) as Data[K] | undefined;
  }

  put<K extends SessionKey<Data>>(key: K, value: Data[K]): void {
    this.#writable().set(key, value);
  }

  /** Removes and returns a value (undefined when absent). */
  pop<K extends SessionKey<Data>>(key: K): Data[K] | undefined {
    if (!this.#values.has(key)) return undefined;
    const value = this.#values.get(key) as Data[K];
    this.#writable().delete(key);
    return value;
  }

  remove(key: SessionKey<Data>): void {
    if (this.#values.has(key)) this.#writable().delete(key);
  }

  /** Removes every value (rememberMe included, as in SCS). */
  clear(): void {
    if (this.#values.size === 0) return;
    this.#writable();
    this.#values = new Map();
  }

  exists(key: SessionKey<Data>): boolean {
    return this.#values.has(key);
  }

  /** Keys in sorted order, without sessionkit's own rememberMe flag. */
  keys(): SessionKey<Data>[] {
    const keys: string[] = [];
    for (const key of this.#values.keys()) if (key !== REMEMBER_ME_KEY) keys.push(key);
    return keys.sort() as SessionKey<Data>[];
  }

  /** The value if it is a string, else ''. */
  getString(key: SessionKey<Data>): string {
    const value = this.#values.get(key);
    return typeof value === 'string' ? value : '';
  }

  /** The value if it is a number, else 0. */
  getNumber(key: SessionKey<Data>): number {
    const value = this.#values.get(key);
    return typeof value === 'number' ? value : 0;
  }

  /** The value if it is a boolean, else false. */
  getBool(key: SessionKey<Data>): boolean {
    return this.#values.get(key) === true;
  }

  /** The value if it is a Uint8Array (Buffer included), else an empty one. */
  getBytes(key: SessionKey<Data>): Uint8Array {
    const value = this.#values.get(key);
    return value instanceof Uint8Array ? value : new Uint8Array(0);
  }

  /** The value if it is a valid Date, else undefined. */
  getDate(key: SessionKey<Data>): Date | undefined {
    const value = this.#values.get(key);
    return value instanceof Date && !Number.isNaN(value.getTime()) ? value : undefined;
  }

  popString(key: SessionKey<Data>): string {
    const value = this.getString(key);
    this.remove(key);
    return value;
  }

  popNumber(key: SessionKey<Data>): number {
    const value = this.getNumber(key);
    this.remove(key);
    return value;
  }

  popBool(key: SessionKey<Data>): boolean {
    const value = this.getBool(key);
    this.remove(key);
    return value;
  }

  popBytes(key: SessionKey<Data>): Uint8Array {
    const value = this.getBytes(key);
    this.remove(key);
    return value;
  }

  popDate(key: SessionKey<Data>): Date | undefined {
    const value = this.getDate(key);
    this.remove(key);
    return value;
  }

  /** Makes the cookie persistent for this session even when `cookie.persist` is false (or not, with false). */
  rememberMe(remember: boolean): void {
    this.#writable().set(REMEMBER_ME_KEY, remember === true);
  }

  /**
   * Gives the session a new token (call it on login and privilege change: fixation defence).
   * The old entry is deleted from the store, the data kept, and the lifetime starts again.
   */
  async renewToken(): Promise<void> {
    const oldKey = this.#storeKey();
    if (oldKey !== '') await this.#host.deleteKey(oldKey);
    this.#writable();
    this.#token = generateToken();
    this.#key = '';
    this.#deadline = Date.now() + this.#host.lifetime;
  }

  /**
   * Deletes the session from the store; the response clears the cookie. A later `put` in the same
   * request starts a new session with a new token.
   */
  async destroy(): Promise<void> {
    const oldKey = this.#storeKey();
    this.#status = 'destroyed';
    this.#deadline = Date.now() + this.#host.lifetime;
    this.#token = '';
    this.#key = '';
    this.#values = new Map();
    this.#shared = false;
    if (oldKey !== '') await this.#host.deleteKey(oldKey);
  }

  /**
   * SCS MergeSession: copies the values of the session with `token` into this one (theirs win on
   * conflict), keeps the later deadline, and deletes the other session. Unknown tokens are ignored.
   */
  async mergeSession(token: string): Promise<void> {
    if (!isToken(token) || token === this.#token) return;
    const record = await this.#host.findRecord(token);
    if (record === undefined) return;
    const values = this.#writable();
    for (const [key, value] of record.values) values.set(key, value);
    if (record.deadline > this.#deadline) this.#deadline = record.deadline;
    await this.#host.deleteKey(this.#host.storeKey(token));
  }

  /** The store key ('' for a session never committed). */
  #storeKey(): string {
    if (this.#key === '' && this.#token !== '') this.#key = this.#host.storeKey(this.#token);
    return this.#key;
  }

  /** Marks the session modified and returns values that are safe to change. */
  #writable(): Map<string, unknown> {
    if (this.#status === 'destroyed') this.#deadline = Date.now() + this.#host.lifetime;
    this.#status = 'modified';
    if (this.#shared) {
      const copy = new Map<string, unknown>();
      this.#values.forEach(copyEntry, copy);
      this.#values = copy;
      this.#shared = false;
    }
    return this.#values;
  }
}

// forEach with a `this` argument copies without the [key, value] pair per entry that
// `new Map(map)` and for-of allocate.
function copyEntry(this: Map<string, unknown>, value: unknown, key: string): void {
  this.set(key, value);
}
