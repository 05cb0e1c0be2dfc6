// A user's sessions: listing them through the store's owner index, destroying one or all but one, and the per-user limit.
import { SessionkitError } from './errors.js';
import { lifecycle } from './events.js';
import { publishDestroyed } from './events-publish.js';
import { CREATED_AT_KEY, handleOf, isReservedKey, LOGIN_AT_KEY, userIdOf, userIdString } from './identity.js';
import { Session } from './session.js';
import type { SessionIO } from './session-io.js';
import { canFindByOwner, type OwnedEntry } from './store.js';

/** One of a user's live sessions, as `sessions.listSessions(userId)` gives it. */
export interface ListedSession<Data extends object> {
  /** The session's non-secret id (never its token): pass it to `destroySession`. */
  handle: string;
  /** ms since epoch of the session's first commit (kept across renewToken/login). */
  createdAt: number;
  /** ms since epoch when the store lets the session go (its deadline, or sooner under an idle timeout). */
  expiresAt: number;
  /** The session's values, without the keys sessionkit keeps in them. */
  data: Partial<Data>;
}

/** Options of `sessions.listSessions(userId, options)`. */
export interface ListSessionsOptions {
  /** Most sessions listed: the newest this many (default 1000). A whole number of 1 or more. */
  limit?: number;
}

/** Sessions `listSessions` lists when no `limit` is given. */
export const DEFAULT_LIST_LIMIT = 1000;
/** Stored sessions decoded between two turns of the event loop while a user's sessions are read. */
const DECODE_SLICE = 256;

/** Options of `sessions.destroySessions(userId, options)`. */
export interface DestroySessionsOptions<Data extends object> {
  /** A session to keep: the Session itself, or its handle (log out everywhere else). */
  except?: Session<Data> | string;
}

/** A listed session with its store key, which never leaves this module. */
interface OwnedSession {
  key: string;
  handle: string;
  createdAt: number;
  /** Its latest login (its creation when it has none recorded): the order maxSessionsPerUser keeps. */
  loginAt: number;
  expiresAt: number;
  values: ReadonlyMap<string, unknown>;
}

/**
 * The user API behind SessionManager: every call costs one owner-index lookup (O(sessions of that
 * user)), never a scan of the store.
 * @internal
 */
export class UserSessions {
  constructor(
    private readonly io: SessionIO,
    private readonly maxSessionsPerUser: number | undefined,
  ) {
    if (maxSessionsPerUser !== undefined) io.afterLogin = (userId, handle) => this.limit(userId, handle);
  }

  async list<Data extends object>(userId: string | number, options: ListSessionsOptions = {}): Promise<ListedSession<Data>[]> {
    const id = userIdString(userId, 'sessions.listSessions()');
    const limit = options?.limit ?? DEFAULT_LIST_LIMIT;
    if (!Number.isSafeInteger(limit) || limit < 1) throw new TypeError('sessionkit: sessions.listSessions() option limit must be a whole number of 1 or more');
    const owned = await this.owned(id);
    return owned.slice(0, limit).map(({ handle, createdAt, expiresAt, values }) => ({ handle, createdAt, expiresAt, data: dataOf<Data>(values) }));
  }

  async destroyOne(userId: string | number, handle: string): Promise<boolean> {
    const id = userIdString(userId, 'sessions.destroySession()');
    if (typeof handle !== 'string') throw new TypeError('sessionkit: sessions.destroySession() takes a session handle (a string)');
    if (handle === '') return false;
    const found = (await this.owned(id)).find((session) => session.handle === handle);
    if (found === undefined) return false;
    await this.io.deleteKey(found.key);
    if (lifecycle.destroyed.hasSubscribers) publishDestroyed(this.io.storeName, found.handle, id, 'user');
    return true;
  }

  async destroyAll<Data extends object>(userId: string | number, options: DestroySessionsOptions<Data> = {}): Promise<number> {
    const id = userIdString(userId, 'sessions.destroySessions()');
    const except = options?.except;
    let kept: string;
    if (except === undefined) kept = '';
    else if (typeof except === 'string') kept = except;
    else if (except instanceof Session) kept = except.handle;
    else throw new TypeError('sessionkit: sessions.destroySessions() option except must be a Session or a session handle');
    const doomed = (await this.owned(id)).filter((session) => kept === '' || session.handle !== kept);
    await Promise.all(doomed.map((session) => this.io.deleteKey(session.key)));
    if (lifecycle.destroyed.hasSubscribers) for (const session of doomed) publishDestroyed(this.io.storeName, session.handle, id, 'user');
    return doomed.length;
  }

  /**
   * After a login of `userId` is committed: ranks that user's sessions by login (newest first, the
   * handle breaking ties, one order in every process) and destroys every one past the limit. Each
   * login does this after its own write, so of any set of logins, the one that lists last sees them
   * all: the newest N survive whatever the interleaving. The session that logged in is destroyed
   * only when N newer logins of the user had already landed (it lost the race); then false.
   */
  private async limit(userId: string, handle: string): Promise<boolean> {
    const ranked = (await this.owned(userId)).sort(newerLoginFirst);
    const doomed = ranked.slice(this.maxSessionsPerUser);
    await Promise.all(doomed.map((session) => this.io.deleteKey(session.key)));
    if (lifecycle.destroyed.hasSubscribers) for (const session of doomed) publishDestroyed(this.io.storeName, session.handle, userId, 'limit');
    return !doomed.some((session) => session.handle === handle);
  }

  /**
   * The live sessions recorded as `userId`'s, newest first. Decodes them a slice at a time, letting
   * the event loop run between slices, so a user with many sessions never stalls other requests.
   */
  private async owned(userId: string): Promise<OwnedSession[]> {
    const store = this.io.store;
    if (!canFindByOwner(store)) {
      throw new SessionkitError('users', "the store does not offer findByOwner(), so it cannot list or end a user's sessions");
    }
    const entries: OwnedEntry[] = await store.findByOwner(userId);
    const now = Date.now();
    const owned: OwnedSession[] = [];
    for (let i = 0; i < entries.length; i++) {
      if (i > 0 && i % DECODE_SLICE === 0) await nextTurn();
      const entry = entries[i]!;
      if (!(entry.expiresAt > now)) continue;
      const record = this.io.liveRecord(entry.data);
      if (record === undefined || userIdOf(record.values) !== userId) continue;
      const handle = handleOf(record.values);
      if (handle === '') continue;
      const created = record.values.get(CREATED_AT_KEY);
      const createdAt = typeof created === 'number' ? created : 0;
      const loggedIn = record.values.get(LOGIN_AT_KEY);
      const loginAt = typeof loggedIn === 'number' ? loggedIn : createdAt;
      owned.push({ key: entry.key, handle, createdAt, loginAt, expiresAt: entry.expiresAt, values: record.values });
    }
    return owned.sort(newestFirst);
  }
}

function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function newestFirst(a: OwnedSession, b: OwnedSession): number {
  return b.createdAt - a.createdAt || byHandle(a, b);
}

function newerLoginFirst(a: OwnedSession, b: OwnedSession): number {
  return b.loginAt - a.loginAt || byHandle(a, b);
}

function byHandle(a: OwnedSession, b: OwnedSession): number {
  return a.handle < b.handle ? -1 : a.handle > b.handle ? 1 : 0;
}

function dataOf<Data extends object>(values: ReadonlyMap<string, unknown>): Partial<Data> {
  const data: Record<string, unknown> = {};
  for (const [key, value] of values) {
    // defineProperty: a key named __proto__ becomes an own property, never the prototype.
    if (!isReservedKey(key)) Object.defineProperty(data, key, { value, enumerable: true, writable: true, configurable: true });
  }
  return data as Partial<Data>;
}
