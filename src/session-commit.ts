// Committing a session: one conditional write when the store offers it, merging this request's changes on top of a session stored since, dropping them once it was revoked.
import { KeyCommits, loggedIn, mergeAfterConflict, mergeNow } from './commit-queue.js';
import type { Changes } from './changes.js';
import { SessionkitError } from './errors.js';
import { userIdOf } from './identity.js';
import { type Renewal, renewalDone, renewalOf, restoreAfterFailure } from './renewal.js';
import { type Session, sessionInternals } from './session.js';
import type { SessionIO } from './session-io.js';
import { type ConditionalStore, isPromiseLike } from './store.js';

// session.ts is evaluated before this module, so its static block has run.
const access = sessionInternals;

/** Fresh tokens a new session tries before giving up (a store that says every token is taken is broken). */
const NEW_TOKEN_ROUNDS = 100;

/**
 * Writes the session (a new one gets its token here, once its bytes are within the limit).
 * Resolves true when written, false when its changes were dropped because the stored session
 * was destroyed, renewed away or expired since this request loaded it (nothing was written then).
 * Throws, writing nothing, when the encoded session is over maxSessionBytes. Synchronous when the
 * store is and nothing conflicted. While a commit of the same stored session is in flight in this
 * manager, the commit waits for it and is then written together with the others that waited.
 * When saving a renewed session fails, the entry its renewal deleted is written back.
 * @internal
 */
export function commitSession<Data extends object>(io: SessionIO, session: Session<Data>): boolean | Promise<boolean> {
  // Only a new or renewed session has no loaded bytes: the others skip the renewal lookup.
  const renewal = access.loaded(session) === undefined ? renewalOf(session) : undefined;
  if (renewal === undefined) return writeSession(io, session);
  return writeRenewed(io, session, renewal);
}

/** Writes a renewed session; its old entry is put back if that fails. A function of its own: its closure would cost every commit a context. */
function writeRenewed<Data extends object>(io: SessionIO, session: Session<Data>, renewal: Renewal): boolean | Promise<boolean> {
  const deleteKey = (key: string) => io.deleteKey(key);
  let written: boolean | Promise<boolean>;
  try {
    written = writeSession(io, session);
  } catch (error) {
    return restoreAfterFailure(io.store, renewal, error);
  }
  if (isPromiseLike<boolean>(written)) {
    return Promise.resolve(written).then(
      (done) => renewalDone(session, renewal, done, deleteKey),
      (error: unknown) => restoreAfterFailure(io.store, renewal, error),
    );
  }
  return renewalDone(session, renewal, written, deleteKey);
}

function writeSession<Data extends object>(io: SessionIO, session: Session<Data>): boolean | Promise<boolean> {
  access.identify(session);
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
  // A new or renewed session has a fresh token nobody else holds: it never waits for another commit.
  if (loaded !== undefined) {
    const running = KeyCommits.running(io, key);
    if (running !== undefined) return running.enqueue(session, access.share(session), deadline, changes);
  }
  const ok = store.commitIf(key, loaded, bytes, expiresAt, owner);
  if (isPromiseLike<boolean>(ok)) {
    // The values are what this commit wrote until it settles: a change meanwhile copies them first.
    const ours = access.share(session);
    if (loaded === undefined) {
      return Promise.resolve(ok).then((done) => (done ? settled(io, session, key, bytes, changes, false) : retoken(io, session, bytes, ours, changes)));
    }
    const running = KeyCommits.start(io, key);
    return Promise.resolve(ok).then(
      (done) => {
        if (!done) return mergeAfterConflict(io, session, key, ours, deadline, changes, running);
        running?.settle({ bytes, values: ours, deadline });
        return settled(io, session, key, bytes, changes, false);
      },
      (error: unknown) => {
        running?.settle(undefined);
        throw error;
      },
    );
  }
  if (ok) return settled(io, session, key, bytes, changes, true);
  const ours = access.share(session);
  if (loaded === undefined) return retoken(io, session, bytes, ours, changes);
  return mergeNow(io, session, key, ours, deadline, changes) ?? mergeAfterConflict(io, session, key, ours, deadline, changes, KeyCommits.start(io, key));
}

/** After a write: the written bytes become the expected ones, and a committed login applies maxSessionsPerUser. */
function settled<Data extends object>(
  io: SessionIO,
  session: Session<Data>,
  key: string,
  bytes: Uint8Array,
  changes: Changes | undefined,
  sync: boolean,
): boolean | Promise<boolean> {
  if (access.storeKey(session) === key) {
    access.setLoaded(session, bytes);
    if (sync) io.rememberDecoded(session, key);
  }
  return loggedIn(io, access.values(session), changes);
}

/** A new session's freshly generated token was taken (never in practice): the session takes another. */
async function retoken<Data extends object>(
  io: SessionIO,
  session: Session<Data>,
  bytes: Uint8Array,
  ours: ReadonlyMap<string, unknown>,
  changes: Changes | undefined,
): Promise<boolean> {
  const store = io.store as ConditionalStore;
  for (let round = 1; round < NEW_TOKEN_ROUNDS; round++) {
    const fresh = access.retoken(session);
    if (await store.commitIf(fresh, undefined, bytes, access.expiresAt(session), userIdOf(ours))) {
      return settled(io, session, fresh, bytes, changes, false);
    }
  }
  throw new SessionkitError('commit', `each of ${NEW_TOKEN_ROUNDS} freshly generated tokens was already taken in the store; nothing was written`);
}
