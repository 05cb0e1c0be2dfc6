// SessionManager options: the public type, the defaults, and validation that names the bad option.
import type { Codec } from './codec.js';
import { msgpackCodec } from './codec.js';
import { resolveCookieOptions, type CookieOptions, type ResolvedCookieOptions } from './cookie.js';
import { optionError, type SessionkitError } from './errors.js';
import { MemoryStore } from './memory-store.js';
import { assertStore, canFindByOwner, type Store } from './store.js';
import { booleanOption, durationOption, functionOption, wholeOption } from './validate.js';

/** Options of `new SessionManager(options)`. Every field is optional. */
export interface SessionOptions {
  /** Where sessions live; default `new MemoryStore()`. */
  store?: Store;
  /** Absolute lifetime from creation, ms; default 24 h. */
  lifetime?: number;
  /** Idle timeout, ms; 0 (default) is off. Each request slides the expiry by this, capped at the deadline. */
  idleTimeout?: number;
  /** Session cookie attributes. */
  cookie?: CookieOptions;
  /** Encoding of the stored record; default `msgpackCodec`. */
  codec?: Codec;
  /** Store sha256(token) instead of the token, so a leaked store dump holds no usable token; default false. */
  hashTokenInStore?: boolean;
  /**
   * Largest encoded session a commit writes, in bytes; default 1 MiB (1048576). A commit of a
   * larger session rejects with a `SessionkitError` and writes nothing: the stored version stays.
   */
  maxSessionBytes?: number;
  /**
   * Called with problems sessionkit recovered from on its own, such as stored bytes that could not
   * be decoded (the request got a fresh session). Default: `console.error` of the message, which
   * never contains a token.
   */
  onError?: (error: SessionkitError) => void;
  /**
   * Most sessions one user may have: when a `login()` past it is committed, that user's oldest
   * sessions (by creation) are destroyed. Needs a store with an owner index (`findByOwner`); every
   * shipped store has one. Default: no limit.
   */
  maxSessionsPerUser?: number;
  /**
   * Most bytes of decoded sessions the manager keeps, for stores that return the same bytes object
   * while a session is unchanged (MemoryStore, LmdbStore with its cache): a request for a cached
   * session skips decoding. Each session is weighed by an upper estimate of its heap size (its
   * encoded size plus a fixed cost per value); the least recently used go first, a session heavier
   * than the bound is never kept, and a session the store drops is dropped too. 0 turns the cache
   * off. Default 32 MiB (33554432).
   */
  decodeCacheBytes?: number;
}

/** Options with defaults applied. */
export interface ResolvedOptions {
  store: Store;
  lifetime: number;
  idleTimeout: number;
  cookie: ResolvedCookieOptions;
  codec: Codec;
  hashTokenInStore: boolean;
  maxSessionBytes: number;
  onError: (error: SessionkitError) => void;
  maxSessionsPerUser: number | undefined;
  decodeCacheBytes: number;
}

export const DEFAULT_LIFETIME = 24 * 60 * 60 * 1000;
export const DEFAULT_MAX_SESSION_BYTES = 1024 * 1024;
export const DEFAULT_DECODE_CACHE_BYTES = 32 * 1024 * 1024;

function logError(error: SessionkitError): void {
  console.error(error.cause === undefined ? error.message : `${error.message} (${String(error.cause)})`);
}

export function resolveOptions(options: SessionOptions = {}): ResolvedOptions {
  if (options === null || typeof options !== 'object') throw optionError('options', 'must be an object', options);
  const store = options.store ?? new MemoryStore();
  assertStore(store);
  const codec = options.codec ?? msgpackCodec;
  if (codec === null || typeof codec !== 'object' || typeof codec.encode !== 'function' || typeof codec.decode !== 'function') {
    throw optionError('codec', 'must be a Codec with encode() and decode() methods');
  }
  const hashTokenInStore = booleanOption('hashTokenInStore', options.hashTokenInStore, false);
  const onError = functionOption('onError', options.onError, logError);
  const maxSessionsPerUser = options.maxSessionsPerUser === undefined ? undefined : wholeOption('maxSessionsPerUser', options.maxSessionsPerUser, 0, 1);
  if (maxSessionsPerUser !== undefined && !canFindByOwner(store)) {
    throw optionError('maxSessionsPerUser', "needs a store that can list a user's sessions (one with findByOwner())");
  }
  return {
    store,
    lifetime: durationOption('lifetime', options.lifetime, DEFAULT_LIFETIME, false),
    idleTimeout: durationOption('idleTimeout', options.idleTimeout, 0, true),
    cookie: resolveCookieOptions(options.cookie),
    codec,
    hashTokenInStore,
    maxSessionBytes: wholeOption('maxSessionBytes', options.maxSessionBytes, DEFAULT_MAX_SESSION_BYTES, 1),
    onError,
    maxSessionsPerUser,
    decodeCacheBytes: wholeOption('decodeCacheBytes', options.decodeCacheBytes, DEFAULT_DECODE_CACHE_BYTES, 0),
  };
}
