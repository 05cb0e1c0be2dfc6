// Committing a session: one conditional write when the store offers it, merging this request's changes on top of a session stored since, dropping them once it was revoked.
import { applyChanges, type Changes } from './changes.js';
import { SessionkitError } from './errors.js';
import { handleOf, userIdOf } from './identity.js';
import { type Session, sessionInternals } from './session.js';
import type { SessionIO } from './session-io.js';
import { type ConditionalStore, isPromiseLike } from './store.js';

/** Most conditional writes one commit tries before it gives up on a session that keeps changing. */
export const MAX_COMMIT_ROUNDS = 100;

// session.ts is evaluated before this module, so its static block has run.
const access = sessionInternals;

/**
 * Writes the session (a new one gets its token here, once its bytes are within the limit).
 * Resolves true when written, false when its changes were dropped because the stored session
 * was destroyed, renewed away or expired since this request loaded it (nothing was written then).
 * Throws, writing nothing, when the encoded session is over maxSessionBytes. Synchronous when the
 * store is and nothing conflicted.
 * @internal
 */
export function commitSession<Data extends object>(io: SessionIO, session: Session<Data>): boolean | Promise<boolean> {
  access.identify(session, Date.now());
  const values = access.values(session);
  const deadline = session.deadline;
  const bytes = io.encode(deadline, values);
  const key = access.commitKey(session);
  const expiresAt = io.expiryFor(deadline);
  access.setExpiresAt(session, expiresAt);
  const owner = userIdOf(values);
  const changes = access.takeChanges(session);
  const store = io.store;
  if (store.commitIf === undefined) {
    // Last writer wins: a store without commitIf cannot tell whether the session changed since.
    const written = store.commit(key, bytes, expiresAt, owner);
    if (isPromiseLike(written)) return Promise.resolve(written).then(() => settled(io, session, key, bytes, changes, false));
    return settled(io, session, key, bytes, changes, true);
  }
  const loaded = access.loaded(session);
  const ok = store.commitIf(key, loaded, bytes, expiresAt, owner);
  if (isPromiseLike<boolean>(ok)) {
    // The values are what this commit wrote until it settles: a change meanwhile copies them first.
    const ours = access.share(session);
    return Promise.resolve(ok).then((done) =>
      done ? settled(io, session, key, bytes, changes, false) : resolveConflict(io, session, key, loaded, bytes, ours, deadline, changes),
    );
  }
  if (ok) return settled(io, session, key, bytes, changes, true);
  return resolveConflict(io, session, key, loaded, bytes, access.share(session), deadline, changes);
}

/** After a write: the written bytes become the expected ones, and a committed login applies maxSessionsPerUser. */
function settled<Data extends object>(io: SessionIO, session: Session<Data>, key: string, bytes: Uint8Array, changes: Changes | undefined, sync: boolean): boolean | Promise<boolean> {
  if (access.storeKey(session) === key) {
    access.setLoaded(session, bytes);
    if (sync) io.rememberDecoded(session, key);
  }
  return loggedIn(io, access.values(session), changes);
}

/** Applies maxSessionsPerUser after a committed login. */
function loggedIn(io: SessionIO, values: ReadonlyMap<string, unknown>, changes: Changes | undefined): boolean | Promise<boolean> {
  const afterLogin = io.afterLogin;
  const userId = userIdOf(values);
  if (changes?.login !== true || afterLogin === undefined || userId === undefined) return true;
  const done = afterLogin(userId, handleOf(values));
  return isPromiseLike(done) ? Promise.resolve(done).then(() => true) : true;
}

/**
 * The conditional write failed: a new session's token was taken (try another), or the stored
 * session changed (merge and try again), or it is gone (drop: revocation sticks).
 */
async function resolveConflict<Data extends object>(
  io: SessionIO,
  session: Session<Data>,
  key: string,
  loaded: Uint8Array | undefined,
  bytes: Uint8Array,
  ours: ReadonlyMap<string, unknown>,
  ourDeadline: number,
  changes: Changes | undefined,
): Promise<boolean> {
  const store = io.store as ConditionalStore;
  for (let round = 1; round < MAX_COMMIT_ROUNDS; round++) {
    if (loaded === undefined) {
      // A freshly generated token is never taken in practice; if it is, the session takes another.
      const fresh = access.retoken(session);
      if (await store.commitIf(fresh, undefined, bytes, access.expiresAt(session), userIdOf(ours))) {
        return settled(io, session, fresh, bytes, changes, false);
      }
      continue;
    }
    const current = await store.find(key);
    const record = current === undefined ? undefined : io.storedRecord(key, current);
    // Destroyed, renewed away, expired or unreadable since this request loaded it: the changes are dropped.
    if (current === undefined || record === undefined) return false;
    const merged = applyChanges(record.values, ours, changes);
    const deadline = changes?.deadlineSet === true ? ourDeadline : record.deadline;
    const mergedBytes = io.encode(deadline, merged);
    const expiresAt = io.expiryFor(deadline);
    if (await store.commitIf(key, current, mergedBytes, expiresAt, userIdOf(merged))) {
      adopt(session, key, mergedBytes, merged, deadline, expiresAt, ours);
      return loggedIn(io, merged, changes);
    }
  }
  throw new SessionkitError('commit', `commit conflict: the stored session changed under each of ${MAX_COMMIT_ROUNDS} attempts to write it; nothing was written`);
}

/** The session takes the merged values, with any change made while the commit was in flight on top. */
function adopt<Data extends object>(
  session: Session<Data>,
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
  if (pending === undefined && current === ours) access.replace(session, merged, deadline);
  else access.replace(session, applyChanges(merged, current, pending), pending?.deadlineSet === true ? session.deadline : deadline);
}
