// Lifecycle events and tracing on node:diagnostics_channel: the channel names, their payload types, and a typed subscription helper.
import { channel, type Channel, type TracingChannel, tracingChannel } from 'node:diagnostics_channel';

/**
 * The names of sessionkit's diagnostics channels. Subscribe with `node:diagnostics_channel`
 * (`subscribe(channels.created, fn)`, `tracingChannel(channels.load).subscribe({...})`) or with
 * {@link onSessionEvent}. Names and payloads are public API.
 */
export const channels = {
  /** A new session's first commit was written; payload {@link SessionEvent}. */
  created: 'sessionkit:created',
  /** `session.renewToken()` deleted a stored session's entry (new token at its next commit); payload {@link SessionEvent}. */
  renewed: 'sessionkit:renewed',
  /** The commit after `session.login(userId)` was written; payload {@link SessionEvent}. */
  login: 'sessionkit:login',
  /** A session was destroyed; payload {@link DestroyedEvent}. */
  destroyed: 'sessionkit:destroyed',
  /** A session was found or removed past its expiry; payload {@link ExpiredEvent}. */
  expired: 'sessionkit:expired',
  /** A store dropped a live session to stay within its bounds; payload {@link SessionEvent}. */
  evicted: 'sessionkit:evicted',
  /** A commit was written on top of a concurrent one; payload {@link MergedEvent}. */
  merged: 'sessionkit:merged',
  /** A commit wrote nothing (too big, or a value the codec refuses); payload {@link RefusedEvent}. */
  refused: 'sessionkit:refused',
  /** A store operation failed; payload {@link StoreErrorEvent}. */
  storeError: 'sessionkit:store-error',
  /** A TracingChannel (start, end, asyncStart, asyncEnd, error) around each load; context {@link LoadContext}. */
  load: 'sessionkit:load',
  /** A TracingChannel around each commit; context {@link CommitContext}. */
  commit: 'sessionkit:commit',
} as const;

/** What every lifecycle payload carries. Never a token, never a session value. */
export interface SessionEvent {
  /** The store's name: its class name (`MemoryStore`, `RedisStore`, ...). */
  store: string;
  /** The session's handle (see `session.handle`); undefined where the publisher cannot know it. */
  handle: string | undefined;
  /** The logged-in user's id; undefined for an anonymous session or where the publisher cannot know it. */
  userId: string | undefined;
}

/** `destroyed`: by the app (`session.destroy()`), by `destroySession(s)` ('user'), or by `maxSessionsPerUser` ('limit'). */
export interface DestroyedEvent extends SessionEvent {
  /** Who destroyed it: 'app' (`session.destroy()`), 'user' (`destroySession(s)`) or 'limit' (a login past `maxSessionsPerUser`). */
  reason: 'app' | 'user' | 'limit';
}

/** `expired`: a load found the session past its deadline ('load'), or the store removed it past its expiry ('store': on a read or by a sweep). */
export interface ExpiredEvent extends SessionEvent {
  /** 'load': a load found the session past its deadline; 'store': the store removed it past its expiry. */
  source: 'load' | 'store';
}

/** `merged`: a commit was written on top of a concurrent one. */
export interface MergedEvent extends SessionEvent {
  /** Conditional writes this commit took (at least 1; more when the stored session kept changing). */
  rounds: number;
}

/** `refused`: a commit wrote nothing, because the encoded session was over `maxSessionBytes` ('size') or the codec refused a value ('codec'). */
export interface RefusedEvent extends SessionEvent {
  /** 'size': the encoded session was over `maxSessionBytes`; 'codec': the codec refused a value. */
  reason: 'size' | 'codec';
  /** The encoded size for 'size'; 0 for 'codec'. */
  bytes: number;
}

/** `store-error`: a store operation failed. */
export interface StoreErrorEvent {
  /** The store's name: its class name (`MemoryStore`, `RedisStore`, ...). */
  store: string;
  /** What failed, as the store names it (`GET`, `commit`, `read`, `sweep`, ...). */
  operation: string;
  /** The driver error, sanitized: no token, no session data. */
  error: Error;
}

/** The context object of the `sessionkit:load` tracing channel. */
export interface LoadContext {
  /** The store's name: its class name (`MemoryStore`, `RedisStore`, ...). */
  store: string;
  /** Set before `end` (sync) or `asyncStart`: the handle of the loaded session, undefined when none was found. */
  handle: string | undefined;
  /** Set with `handle`: the loaded session's user id; undefined for an anonymous session or when none was found. */
  userId: string | undefined;
  /** True when the store answered with a promise: the operation ends at `asyncEnd`, not `end`. */
  async: boolean;
  /** Set on `error`: sessionkit's own error, or a sanitized copy of any other (no token, no session data). */
  error?: unknown;
}

/** The context object of the `sessionkit:commit` tracing channel. */
export interface CommitContext {
  /** The store's name: its class name (`MemoryStore`, `RedisStore`, ...). */
  store: string;
  /** The session's handle (known from the start for a session that was stored; set at the end for a new one). */
  handle: string | undefined;
  /** The session's user id, set again when the commit finished; undefined for an anonymous session. */
  userId: string | undefined;
  /** True when the store answered with a promise: the operation ends at `asyncEnd`, not `end`. */
  async: boolean;
  /** Set when the commit finished: false when the session had been destroyed or renewed elsewhere and nothing was written. */
  written: boolean;
  /** Size of the encoded session written, in bytes (0 when nothing was written). */
  bytes: number;
  /** Set on `error`: sessionkit's own error, or a sanitized copy of any other (no token, no session data). */
  error?: unknown;
}

/** The payload type of each lifecycle channel, by its key in {@link channels}. */
export interface SessionEvents {
  /** Payload of `sessionkit:created`: a new session's first commit was written. */
  created: SessionEvent;
  /** Payload of `sessionkit:renewed`: `session.renewToken()` deleted a stored session's entry. */
  renewed: SessionEvent;
  /** Payload of `sessionkit:login`: the commit after `session.login(userId)` was written. */
  login: SessionEvent;
  /** Payload of `sessionkit:destroyed`: a session was destroyed. */
  destroyed: DestroyedEvent;
  /** Payload of `sessionkit:expired`: a session was found or removed past its expiry. */
  expired: ExpiredEvent;
  /** Payload of `sessionkit:evicted`: a store dropped a live session to stay within its bounds. */
  evicted: SessionEvent;
  /** Payload of `sessionkit:merged`: a commit was written on top of a concurrent one. */
  merged: MergedEvent;
  /** Payload of `sessionkit:refused`: a commit wrote nothing. */
  refused: RefusedEvent;
  /** Payload of `sessionkit:store-error`: a store operation failed. */
  storeError: StoreErrorEvent;
}

/**
 * The lifecycle channel objects. For stores that publish their own expiries and evictions
 * (exported as `storeEvents` from `sessionkit/store-kit`): check `hasSubscribers` before
 * building anything.
 */
export const lifecycle: { readonly [K in keyof SessionEvents]: Channel } = {
  created: channel(channels.created),
  renewed: channel(channels.renewed),
  login: channel(channels.login),
  destroyed: channel(channels.destroyed),
  expired: channel(channels.expired),
  evicted: channel(channels.evicted),
  merged: channel(channels.merged),
  refused: channel(channels.refused),
  storeError: channel(channels.storeError),
};

/** @internal */
export const loadTrace: TracingChannel<unknown, LoadContext & object> = tracingChannel(channels.load);
/** @internal */
export const commitTrace: TracingChannel<unknown, CommitContext & object> = tracingChannel(channels.commit);

/**
 * Calls `listener` with every payload published on one lifecycle channel; returns the function
 * that unsubscribes it.
 *
 * @example
 * const stop = onSessionEvent('destroyed', ({ store, handle, reason }) => log.info({ store, handle, reason }, 'session destroyed'));
 */
export function onSessionEvent<K extends keyof SessionEvents>(event: K, listener: (payload: SessionEvents[K]) => void): () => void {
  if (!Object.hasOwn(lifecycle, event)) throw new TypeError(`sessionkit: onSessionEvent() takes one of ${Object.keys(lifecycle).join(', ')}`);
  if (typeof listener !== 'function') throw new TypeError('sessionkit: onSessionEvent() takes a listener function');
  const target = lifecycle[event];
  const handler = (message: unknown): void => listener(message as SessionEvents[K]);
  target.subscribe(handler);
  return () => {
    target.unsubscribe(handler);
  };
}
