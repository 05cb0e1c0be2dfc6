// The internal contract between Session and the manager's store path; not part of the public API.
import type { Changes } from './changes.js';
import type { SessionRecord } from './codec.js';
import type { CachedRecord } from './decode-cache.js';
import type { Session } from './session.js';

/**
 * What a Session needs from the manager's store path (to delete, find and key other entries).
 * @internal
 */
export interface SessionHost {
  readonly lifetime: number;
  /** The store's name in events. */
  readonly storeName: string;
  /** The store key for a token (itself, or its sha256 with hashTokenInStore). */
  storeKey(token: string): string;
  /** Deletes a store key. */
  deleteKey(key: string): void | Promise<void>;
  /** Finds and decodes another session by token; undefined when missing, expired or garbled. */
  findRecord(token: string): SessionRecord | undefined | Promise<SessionRecord | undefined>;
  /** The store expiry for a deadline (sooner under an idle timeout). */
  expiryFor(deadline: number): number;
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
   * `bytes`: what the store returned, the expected bytes of the session's next conditional commit.
   */
  open<Data extends object>(host: SessionHost, token: string, key: string, record: SessionRecord, shared: boolean, bytes: Uint8Array): Session<Data>;
  /** The values to encode; never changed through this view. */
  values<D extends object>(session: Session<D>): ReadonlyMap<string, unknown>;
  /** True when rememberMe(true) is in effect. */
  remembered<D extends object>(session: Session<D>): boolean;
  /** The store key, or '' for a session never committed. */
  storeKey<D extends object>(session: Session<D>): string;
  /** The store key to commit under: a new session gets its token here. */
  commitKey<D extends object>(session: Session<D>): string;
  /** A new token for a new session whose first token turned out to be taken; returns its store key. */
  retoken<D extends object>(session: Session<D>): string;
  /** Store expiry set by the last commit or touch (ms since epoch); 0 before. */
  expiresAt<D extends object>(session: Session<D>): number;
  setExpiresAt<D extends object>(session: Session<D>, expiresAt: number): void;
  /**
   * The session's record with `bytes` (what the store now holds), to file in the decode cache:
   * its own record when it has one (which it then shares), else a new one. A later change copies.
   */
  fileRecord<D extends object>(session: Session<D>, bytes: Uint8Array): CachedRecord;
  /** Hands the values to the decode cache: from now on the next change copies them first. */
  share<D extends object>(session: Session<D>): Map<string, unknown>;
  /** The session's bytes are encoded for the store: it reads 'unmodified' until changed again. */
  markSaved<D extends object>(session: Session<D>): void;
  /** Gives a session about to be committed for the first time its handle and creation time. */
  identify<D extends object>(session: Session<D>): void;
  /** The stored bytes the session was loaded from or last committed as; undefined for a new or renewed session. */
  loaded<D extends object>(session: Session<D>): Uint8Array | undefined;
  setLoaded<D extends object>(session: Session<D>, bytes: Uint8Array | undefined): void;
  /** The changes recorded so far, and a fresh start: changes made from now on are recorded anew. */
  takeChanges<D extends object>(session: Session<D>): Changes | undefined;
  /** The changes recorded since the last `takeChanges` (or the load). */
  pending<D extends object>(session: Session<D>): Changes | undefined;
  /** Replaces the values (which the session then owns) and the deadline, after a merge. */
  replace<D extends object>(session: Session<D>, values: Map<string, unknown>, deadline: number): void;
}
