// Commits that announce themselves: `created` on a session's first write, `login` on the write that binds it to a user.
import { commitTrace, lifecycle } from './events.js';
import { publishSession } from './events-publish.js';
import { tracedCommit } from './events-trace.js';
import { type Session, sessionInternals } from './session.js';
import { commitSession } from './session-commit.js';
import type { SessionIO } from './session-io.js';
import { isPromiseLike } from './store.js';

// session.ts is evaluated before this module, so its static block has run.
const access = sessionInternals;

/** True when a commit has someone to tell: then commit through {@link commitObserved} instead of `commitSession`. @internal */
export function commitWatched(): boolean {
  return commitTrace.hasSubscribers || lifecycle.created.hasSubscribers || lifecycle.login.hasSubscribers;
}

/** `commitSession`, traced when the commit channel has subscribers, announcing a creation or login once written. @internal */
export function commitObserved<Data extends object>(io: SessionIO, session: Session<Data>): boolean | Promise<boolean> {
  return commitTrace.hasSubscribers ? tracedCommit(io, session) : commitAnnounced(io, session);
}

/** `commitSession`, then `created` (a session without a handle yet) and `login` (a pending login) once written. @internal */
export function commitAnnounced<Data extends object>(io: SessionIO, session: Session<Data>): boolean | Promise<boolean> {
  const created = session.handle === '';
  const login = access.pending(session)?.login === true;
  const written = commitSession(io, session);
  if (!created && !login) return written;
  if (isPromiseLike<boolean>(written)) return Promise.resolve(written).then((done) => announce(io, session, done, created, login));
  return announce(io, session, written, created, login);
}

function announce<Data extends object>(io: SessionIO, session: Session<Data>, written: boolean, created: boolean, login: boolean): boolean {
  if (!written) return false;
  const values = access.values(session);
  if (created && lifecycle.created.hasSubscribers) publishSession(lifecycle.created, io.storeName, values);
  if (login && lifecycle.login.hasSubscribers) publishSession(lifecycle.login, io.storeName, values);
  return true;
}
