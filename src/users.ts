// A user's sessions: listing them through the store's owner index, destroying one or all but one, and the per-user limit.
import { SessionkitError } from './errors.js';
import { lifecycle } from './events.js';
import { publishDestroyed } from './events-publish.js';
import { CREATED_AT_KEY, handleOf, isReservedKey, userIdOf, userIdString } from './identity.js';
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

  async list<Data extends object>(userId: string | number): Promise<ListedSession<Data>[]> {
    const owned = await this.owned(userIdString(userId, 'sessions.listSessions()'));
    return owned.map(({ handle, createdAt, expiresAt, values }) => ({ handle, createdAt, expiresAt, data: dataOf<Data>(values) }));
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

  /** After a login of `userId` is committed: destroys that user's oldest sessions past the limit, never `handle`'s. */
  private async limit(userId: string, handle: string): Promise<void> {
    const others = (await this.owned(userId)).filter((session) => session.handle !== handle);
    const doomed = others.slice(Math.max(0, this.maxSessionsPerUser! - 1));
    await Promise.all(doomed.map((session) => this.io.deleteKey(session.key)));
    if (lifecycle.destroyed.hasSubscribers) for (const session of doomed) publishDestroyed(this.io.storeName, session.handle, userId, 'limit');
  }

  /** The live sessions recorded as `userId`'s, newest first. */
  private async owned(userId: string): Promise<OwnedSession[]> {
    const store = this.io.store;
    if (!canFindByOwner(store)) {
      throw new SessionkitError('users', "the store does not offer findByOwner(), so it cannot list or end a user's sessions");
    }
    const entries: OwnedEntry[] = await store.findByOwner(userId);
    const now = Date.now();
    const owned: OwnedSession[] = [];
    for (const entry of entries) {
      if (!(entry.expiresAt > now)) continue;
      const record = this.io.liveRecord(entry.data);
      if (record === undefined || userIdOf(record.values) !== userId) continue;
      const handle = handleOf(record.values);
      if (handle === '') continue;
      const createdAt = record.values.get(CREATED_AT_KEY);
      owned.push({ key: entry.key, handle, createdAt: typeof createdAt === 'number' ? createdAt : 0, expiresAt: entry.expiresAt, values: record.values });
    }
    return owned.sort(newestFirst);
  }
}

function newestFirst(a: OwnedSession, b: OwnedSession): number {
  return b.createdAt - a.createdAt || (a.handle < b.handle ? -1 : a.handle > b.handle ? 1 : 0);
}

function dataOf<Data extends object>(values: ReadonlyMap<string, unknown>): Partial<Data> {
  const data: Record<string, unknown> = {};
  for (const [key, value] of values) {
    // defineProperty: a key named __proto__ becomes an own property, never the prototype.
    if (!isReservedKey(key)) Object.defineProperty(data, key, { value, enumerable: true, writable: true, configurable: true });
  }
  return data as Partial<Data>;
}
