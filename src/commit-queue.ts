// Group commit: while a commit of a store key is in flight in this process, later commits of that key wait and go out together as one conditional write; plus the merge loop they share.
import { applyChanges, type Changes } from './changes.js';
import { SessionkitError } from './errors.js';
import { lifecycle } from './events.js';
import { publishMerged } from './events-publish.js';
import { handleOf, userIdOf } from './identity.js';
import { type Session, sessionInternals } from './session.js';
import type { SessionIO } from './session-io.js';
import { type ConditionalStore, isPromiseLike } from './store.js';

/** Most conditional writes one commit tries before it gives up on a session that keeps changing. */
export const MAX_COMMIT_ROUNDS = 100;

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

/** The in-flight commits by store key, of every manager in this process (each entry names its own). */
const inFlight = new Map<string, KeyCommits>();

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

  /** The commits of `key` in flight for `io`'s manager; undefined when none is (one Map lookup, no allocation). */
  static running(io: SessionIO, key: string): KeyCommits | undefined {
    const running = inFlight.get(key);
    return running !== undefined && running.io === io ? running : undefined;
  }

  /** Marks a commit of `key` in flight; undefined when another manager's commit of it is (this one then races through the merge loop). */
  static start(io: SessionIO, key: string): KeyCommits | undefined {
    if (inFlight.has(key)) return undefined;
    const commits = new KeyCommits(io, key);
    inFlight.set(key, commits);
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
      inFlight.delete(this.key);
      return;
    }
    this.#waiting = undefined;
    void commitTogether(this.io, this.key, waiting, written, MAX_COMMIT_ROUNDS).then((next) => this.settle(next));
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
    // The conditional write that failed was the first of MAX_COMMIT_ROUNDS.
    void commitTogether(io, key, [commit], undefined, MAX_COMMIT_ROUNDS - 1).then((written) => running?.settle(written));
  });
}

/**
 * Applies each commit's changes, in order, on top of `base` (or of the stored session, read
 * first, when unknown) and writes the result with one conditional write; a conflict reads and
 * merges again. Settles every commit: true when written, false when the stored session is gone
 * (revoked: the changes are dropped), rejected with a store error or the conflict limit. A merged
 * record over maxSessionBytes is written one commit at a time, so only a commit that brings it
 * over the limit fails. Resolves what it wrote; never rejects.
 */
async function commitTogether(io: SessionIO, key: string, commits: PendingCommit[], base: Written | undefined, rounds: number): Promise<Written | undefined> {
  const store = io.store as ConditionalStore;
  try {
    for (let round = 0; round < rounds; round++) {
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
        if (lifecycle.merged.hasSubscribers)
          for (let i = 0; i < commits.length; i++) publishMerged(io.storeName, values, MAX_COMMIT_ROUNDS - rounds + round + 1);
        return { bytes, values, deadline };
      }
      base = undefined;
    }
    throw new SessionkitError(
      'commit',
      `commit conflict: the stored session changed under each of ${MAX_COMMIT_ROUNDS} attempts to write it; nothing was written`,
    );
  } catch (error) {
    for (const commit of commits) commit.reject(error);
    return undefined;
  }
}

/** Writes the commits one after another, each on top of the one before; each settles on its own. */
async function oneByOne(io: SessionIO, key: string, commits: PendingCommit[], base: Written | undefined): Promise<Written | undefined> {
  let written = base;
  for (const commit of commits) written = (await commitTogether(io, key, [commit], written, MAX_COMMIT_ROUNDS)) ?? written;
  return written;
}

/**
 * Applies maxSessionsPerUser after a committed login.
 * @internal
 */
export function loggedIn(io: SessionIO, values: ReadonlyMap<string, unknown>, changes: Changes | undefined): boolean | Promise<boolean> {
  const afterLogin = io.afterLogin;
  const userId = userIdOf(values);
  if (changes?.login !== true || afterLogin === undefined || userId === undefined) return true;
  const done = afterLogin(userId, handleOf(values));
  return isPromiseLike(done) ? Promise.resolve(done).then(() => true) : true;
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
