// Group commit: while a commit of a store key is in flight in this process, later commits of that key wait and go out together as one conditional write; plus the merge loop they share.
import { applyChanges, type Changes } from './changes.js';
import { conflictDeadline, conflictError, pauseBeforeRetry } from './commit-retry.js';
import { lifecycle } from './events.js';
import { publishMerged } from './events-publish.js';
import { handleOf, userIdOf } from './identity.js';
import { type Session, sessionInternals } from './session.js';
import type { SessionIO } from './session-io.js';
import { type ConditionalStore, isPromiseLike } from './store.js';

/** Synchronous merges a commit tries on a synchronous store before it waits and retries (another process may write between its read and its write). */
const SYNC_MERGES = 3;

// session.ts is evaluated before this module, so its static block has run.
const access = sessionInternals;

/** What a key's last write in this process left in the store: its bytes, and the values and deadline they encode. */
export interface Written {
  bytes: Uint8Array;
  values: ReadonlyMap<string, unknown>;
  deadline: number;
}

/** One commit of a loaded session, waiting to be merged on top of the stored session. */
interface PendingCommit {
  session: Session<object>;
  /** The values it encoded (shared: a change meanwhile copies them first). */
  ours: ReadonlyMap<string, unknown>;
  deadline: number;
  changes: Changes | undefined;
  resolve(written: boolean | Promise<boolean>): void;
  reject(error: unknown): void;
}

/** The in-flight commits of each manager, by store key. */
const inFlight = new WeakMap<SessionIO, Map<string, KeyCommits>>();

/**
 * The commits of one store key in this process: one in flight, the ones made meanwhile waiting to
 * be written together (in commit order) once it settles.
 * @internal
 */
export class KeyCommits {
  #waiting: PendingCommit[] | undefined = undefined;

  private constructor(
    readonly io: SessionIO,
    readonly key: string,
  ) {}

  /** The commits of `key` in flight for `io`'s manager; undefined when none is (two lookups, no allocation). */
  static running(io: SessionIO, key: string): KeyCommits | undefined {
    return inFlight.get(io)?.get(key);
  }

  /** Marks a commit of `key` in flight for `io`'s manager; undefined when one already is (this one then goes through the merge loop on its own). */
  static start(io: SessionIO, key: string): KeyCommits | undefined {
    let keys = inFlight.get(io);
    if (keys === undefined) inFlight.set(io, (keys = new Map()));
    if (keys.has(key)) return undefined;
    const commits = new KeyCommits(io, key);
    keys.set(key, commits);
    return commits;
  }

  /** Waits for the commit in flight, then writes this session's changes with the others that waited. Resolves as commitSession does. */
  enqueue<Data extends object>(session: Session<Data>, ours: ReadonlyMap<string, unknown>, deadline: number, changes: Changes | undefined): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
      (this.#waiting ??= []).push({ session: session as unknown as Session<object>, ours, deadline, changes, resolve, reject });
    });
  }

  /**
   * The commit in flight settled, having written `written` (undefined: nothing known, read the
   * store first). Writes the commits that waited meanwhile as one, or ends the key's turn.
   */
  settle(written: Written | undefined): void {
    const waiting = this.#waiting;
    if (waiting === undefined) {
      inFlight.get(this.io)?.delete(this.key);
      return;
    }
    this.#waiting = undefined;
    void commitTogether(this.io, this.key, waiting, written, 0).then((next) => this.settle(next));
  }
}

/**
 * The conditional write of one loaded session failed: merge its changes on top of the stored
 * session and try again (then `running` lets the commits that waited for it go).
 * @internal
 */
export function mergeAfterConflict<Data extends object>(
  io: SessionIO,
  session: Session<Data>,
  key: string,
  ours: ReadonlyMap<string, unknown>,
  deadline: number,
  changes: Changes | undefined,
  running: KeyCommits | undefined,
): Promise<boolean> {
  return new Promise<boolean>((resolve, reject) => {
    const commit: PendingCommit = { session: session as unknown as Session<object>, ours, deadline, changes, resolve, reject };
    // The conditional write that failed was its first.
    void commitTogether(io, key, [commit], undefined, 1).then((written) => running?.settle(written));
  });
}

/**
 * The conditional write of one loaded session to a synchronous store failed: reads, merges and
 * writes again in the same tick, which no other commit of this process can overtake (so a
 * same-tick storm of N commits costs N merges, not N rounds each). Resolves as commitSession does;
 * undefined when the store answered with a promise or another process kept writing in between:
 * the caller then goes through the merge loop.
 * @internal
 */
export function mergeNow<Data extends object>(
  io: SessionIO,
  session: Session<Data>,
  key: string,
  ours: ReadonlyMap<string, unknown>,
  deadline: number,
  changes: Changes | undefined,
): boolean | Promise<boolean> | undefined {
  const store = io.store as ConditionalStore;
  for (let attempt = 0; attempt < SYNC_MERGES; attempt++) {
    const current = store.find(key);
    if (isPromiseLike(current)) return undefined;
    const record = current === undefined ? undefined : io.storedRecord(key, current);
    // Destroyed, renewed away, expired or unreadable since this request loaded it: its changes are dropped.
    if (current === undefined || record === undefined) return false;
    const values = applyChanges(record.values, ours, changes);
    const merged = changes?.deadlineSet === true ? deadline : record.deadline;
    const bytes = io.encode(merged, values);
    const expiresAt = io.expiryFor(merged);
    const written = store.commitIf(key, current, bytes, expiresAt, userIdOf(values));
    if (isPromiseLike<boolean>(written)) {
      return Promise.resolve(written).then((done) => {
        if (!done) return mergeAfterConflict(io, session, key, ours, deadline, changes, KeyCommits.start(io, key));
        adopt(session as unknown as Session<object>, key, bytes, values as Map<string, unknown>, merged, expiresAt, ours);
        // The first conditional write failed before these.
        if (lifecycle.merged.hasSubscribers) publishMerged(io.storeName, values, attempt + 2);
        return loggedIn(io, values, changes);
      });
    }
    if (written) {
      adopt(session as unknown as Session<object>, key, bytes, values as Map<string, unknown>, merged, expiresAt, ours);
      // The next merge of this session finds these values by the stored bytes, without decoding.
      if (access.storeKey(session) === key) io.rememberDecoded(session, key);
      if (lifecycle.merged.hasSubscribers) publishMerged(io.storeName, values, attempt + 2);
      return loggedIn(io, values, changes);
    }
  }
  return undefined;
}

/**
 * Applies each commit's changes, in order, on top of `base` (or of the stored session, read
 * first, when unknown) and writes the result with one conditional write; a conflict reads and
 * merges again, after a pause with jitter once the first retry failed too. Settles every commit:
 * true when written, false when the stored session is gone (revoked: the changes are dropped),
 * rejected with a store error, or when other writers kept changing the session for the whole
 * conflict budget (the store's `timeout`, else 5 s). A merged
 * record over maxSessionBytes is written one commit at a time, so only a commit that brings it
 * over the limit fails. Resolves what it wrote; never rejects.
 */
async function commitTogether(
  io: SessionIO,
  key: string,
  commits: PendingCommit[],
  base: Written | undefined,
  triedBefore: number,
): Promise<Written | undefined> {
  const store = io.store as ConditionalStore;
  const giveUpAt = conflictDeadline(store);
  try {
    for (let attempt = 0; ; attempt++) {
      if (base === undefined) {
        const current = await store.find(key);
        const record = current === undefined ? undefined : io.storedRecord(key, current);
        // Destroyed, renewed away, expired or unreadable since these requests loaded it: their changes are dropped.
        if (current === undefined || record === undefined) {
          for (const commit of commits) commit.resolve(false);
          return undefined;
        }
        base = { bytes: current, values: record.values, deadline: record.deadline };
      }
      let values = base.values;
      let deadline = base.deadline;
      for (const commit of commits) {
        values = applyChanges(values, commit.ours, commit.changes);
        if (commit.changes?.deadlineSet === true) deadline = commit.deadline;
      }
      let bytes: Uint8Array;
      try {
        bytes = io.encode(deadline, values, commits.length === 1);
      } catch (error) {
        if (commits.length === 1) throw error;
        return await oneByOne(io, key, commits, base);
      }
      const expiresAt = io.expiryFor(deadline);
      if (await store.commitIf(key, base.bytes, bytes, expiresAt, userIdOf(values))) {
        for (const commit of commits) {
          adopt(commit.session, key, bytes, values as Map<string, unknown>, deadline, expiresAt, commit.ours);
          commit.resolve(loggedIn(io, values, commit.changes));
        }
        if (lifecycle.merged.hasSubscribers) for (let i = 0; i < commits.length; i++) publishMerged(io.storeName, values, triedBefore + attempt + 1);
        return { bytes, values, deadline };
      }
      base = undefined;
      if (Date.now() >= giveUpAt) throw conflictError(store);
      await pauseBeforeRetry(attempt, giveUpAt);
    }
  } catch (error) {
    for (const commit of commits) commit.reject(error);
    return undefined;
  }
}

/** Writes the commits one after another, each on top of the one before; each settles on its own. */
async function oneByOne(io: SessionIO, key: string, commits: PendingCommit[], base: Written | undefined): Promise<Written | undefined> {
  let written = base;
  for (const commit of commits) written = (await commitTogether(io, key, [commit], written, 0)) ?? written;
  return written;
}

/**
 * Applies maxSessionsPerUser after a committed login: false when that destroyed the session that
 * logged in (newer logins of the user took every place), so no cookie is sent for it.
 * @internal
 */
export function loggedIn(io: SessionIO, values: ReadonlyMap<string, unknown>, changes: Changes | undefined): boolean | Promise<boolean> {
  const afterLogin = io.afterLogin;
  const userId = userIdOf(values);
  if (changes?.login !== true || afterLogin === undefined || userId === undefined) return true;
  return afterLogin(userId, handleOf(values));
}

/**
 * The session takes the merged values, with any change made while the commit was in flight on
 * top. The merged values may also be other sessions' and the next group's base: the session
 * copies them before a change.
 */
function adopt(
  session: Session<object>,
  key: string,
  bytes: Uint8Array,
  merged: Map<string, unknown>,
  deadline: number,
  expiresAt: number,
  ours: ReadonlyMap<string, unknown>,
): void {
  if (access.storeKey(session) !== key || session.status === 'destroyed') return;
  access.setLoaded(session, bytes);
  access.setExpiresAt(session, expiresAt);
  const pending = access.pending(session);
  const current = access.values(session);
  if (pending === undefined && current === ours) {
    access.replace(session, merged, deadline);
    access.share(session);
  } else {
    access.replace(session, applyChanges(merged, current, pending), pending?.deadlineSet === true ? session.deadline : deadline);
  }
}
