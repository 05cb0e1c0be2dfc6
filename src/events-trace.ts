// The load and commit tracing channels: Node's traceSync/tracePromise protocol, but with a context that names the session instead of carrying it.
import type { TracingChannel } from 'node:diagnostics_channel';
import { SessionkitError } from './errors.js';
import { type CommitContext, commitTrace, type LoadContext, loadTrace } from './events.js';
import { type Session, sessionInternals } from './session.js';
import { commitAnnounced } from './events-commit.js';
import type { SessionIO } from './session-io.js';
import { isPromiseLike } from './store.js';
import { sanitizeError } from './store-error.js';

// session.ts is evaluated before this module, so its static block has run.
const access = sessionInternals;

/**
 * `io.load(token)` inside the `sessionkit:load` tracing channel. Call only when
 * `loadTrace.hasSubscribers`.
 * @internal
 */
export function tracedLoad<Data extends object>(io: SessionIO, token: string | null | undefined): Session<Data> | Promise<Session<Data>> {
  const context: LoadContext = { store: io.storeName, handle: undefined, userId: undefined, async: false };
  return loadTrace.start.runStores(context, run, undefined, loadTrace, context, loadSession, io, token, describeLoaded) as unknown as
    | Session<Data>
    | Promise<Session<Data>>;
}

/** `commitAnnounced(io, session)` inside the `sessionkit:commit` tracing channel. Call only when `commitTrace.hasSubscribers`. @internal */
export function tracedCommit<Data extends object>(io: SessionIO, session: Session<Data>): boolean | Promise<boolean> {
  const context: CommitContext = { store: io.storeName, handle: session.handle || undefined, userId: session.userId, async: false, written: false, bytes: 0 };
  return commitTrace.start.runStores(
    context,
    run,
    undefined,
    commitTrace,
    context,
    commitAnnounced,
    io,
    session as unknown as Session<object>,
    describeCommitted,
  );
}

function loadSession(io: SessionIO, token: string | null | undefined): Session<object> | Promise<Session<object>> {
  return io.load<object>(token);
}

function describeLoaded(context: LoadContext, _token: unknown, session: Session<object>): void {
  context.handle = session.handle || undefined;
  context.userId = session.userId;
}

function describeCommitted(context: CommitContext, session: Session<object>, written: boolean): void {
  context.written = written;
  context.handle = session.handle || undefined;
  context.userId = session.userId;
  context.bytes = written ? (access.loaded(session)?.length ?? 0) : 0;
}

/**
 * Runs `operation(io, subject)` (inside `trace.start.runStores`) as Node's `traceSync` does when
 * it answers synchronously (start, end; error before end on a throw) and as `tracePromise` does
 * when it answers with a promise (start, end, then asyncStart and asyncEnd once settled; error
 * before them on a rejection). `finish` names the result in the context; the result itself is
 * never put there.
 */
function run<Subject, Result, Context extends { async: boolean; error?: unknown }>(
  trace: TracingChannel<unknown, Context>,
  context: Context,
  operation: (io: SessionIO, subject: Subject) => Result | Promise<Result>,
  io: SessionIO,
  subject: Subject,
  finish: (context: Context, subject: Subject, result: Result) => void,
): Result | Promise<Result> {
  let result: Result | Promise<Result>;
  try {
    result = operation(io, subject);
  } catch (error) {
    context.error = safeError(error);
    trace.error.publish(context);
    trace.end.publish(context);
    throw error;
  }
  if (!isPromiseLike<Result>(result)) {
    finish(context, subject, result);
    trace.end.publish(context);
    return result;
  }
  context.async = true;
  trace.end.publish(context);
  return Promise.resolve(result).then(
    (settled) => {
      finish(context, subject, settled);
      trace.asyncStart.publish(context);
      trace.asyncEnd.publish(context);
      return settled;
    },
    (error: unknown) => {
      context.error = safeError(error);
      trace.error.publish(context);
      trace.asyncStart.publish(context);
      trace.asyncEnd.publish(context);
      throw error;
    },
  );
}

/** sessionkit's own errors as they are (they never hold a token or session data); any other (a third-party store's) sanitized. */
function safeError(error: unknown): unknown {
  return error instanceof SessionkitError ? error : sanitizeError(error);
}
