// The internal contract between Session and the manager's store path; not part of the public API.
import type { SessionRecord } from './codec.js';
import type { Session } from './session.js';

/**
 * What a Session needs from the manager's store path (to delete, find and key other entries).
 * @internal
 */
export interface SessionHost {
  readonly lifetime: number;
  /** The store key for a token (itself, or its sha256 with hashTokenInStore). */
  storeKey(token: string): string;
  /** Deletes a store key. */
  deleteKey(key: string): void | Promise<void>;
  /** Finds and decodes another session by token; undefined when missing, expired or garbled. */
  findRecord(token: string): SessionRecord | undefined | Promise<SessionRecord | undefined>;
}

/**
 * The manager's access to a Session's state (`sessionInternals` in session.ts). Not part
 * of the public API (stripped from the published declarations, not exported by the package).
 * @internal
 */
export interface SessionInternals {
  /** A new, empty session: no token, no store key, deadline one lifetime from now. */
  create<Data extends object>(host: SessionHost): Session<Data>;
  /**
   * A session for a stored record under `token` (or '' when only the store key is known) and `key`.
   * `shared`: the record's values are also held by the decode cache and are copied before a change.
   */
  open<Data extends object>(host: SessionHost, token: string, key: string, record: SessionRecord, shared: boolean): Session<Data>;
  /** The values to encode; never changed through this view. */
  values<D extends object>(session: Session<D>): ReadonlyMap<string, unknown>;
  /** True when rememberMe(true) is in effect. */
  remembered<D extends object>(session: Session<D>): boolean;
  /** The store key, or '' for a session never committed. */
  storeKey<D extends object>(session: Session<D>): string;
  /** The store key to commit under: a new session gets its token here. */
  commitKey<D extends object>(session: Session<D>): string;
  /** Store expiry set by the last commit or touch (ms since epoch); 0 before. */
  expiresAt<D extends object>(session: Session<D>): number;
  setExpiresAt<D extends object>(session: Session<D>, expiresAt: number): void;
  /** Hands the values to the decode cache: from now on the next change copies them first. */
  share<D extends object>(session: Session<D>): Map<string, unknown>;
  /** The session's bytes are encoded for the store: it reads 'unmodified' until changed again. */
  markSaved<D extends object>(session: Session<D>): void;
}
