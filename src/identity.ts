// A session's identity, kept as reserved keys inside its values (as SCS keeps `__rememberMe`): its handle, creation time and user id.
import { randomFillSync } from 'node:crypto';
import { isValidOwner, MAX_OWNER_LENGTH } from './store.js';

/** The key SCS uses for rememberMe; kept in the values so SCS tooling reads it the same way. */
export const REMEMBER_ME_KEY = '__rememberMe';
/** The session's handle: 16 random bytes as base64url, made at its first commit, never derived from the token. */
export const HANDLE_KEY = '__handle';
/** ms since epoch of the session's first commit. */
export const CREATED_AT_KEY = '__createdAt';
/** The user id given to `login()`, as a string. */
export const USER_ID_KEY = '__userId';
/** ms since epoch of the session's latest `login()`: with the handle, the order in which maxSessionsPerUser keeps a user's newest sessions. */
export const LOGIN_AT_KEY = '__loginAt';

/** True for the keys sessionkit keeps inside a session's values, which `keys()` and listings hide. */
export function isReservedKey(key: string): boolean {
  // Two charCode checks keep this free for ordinary keys.
  return (
    key.charCodeAt(0) === 95 &&
    key.charCodeAt(1) === 95 &&
    (key === REMEMBER_ME_KEY || key === HANDLE_KEY || key === CREATED_AT_KEY || key === USER_ID_KEY || key === LOGIN_AT_KEY)
  );
}

/** True for the identity keys, which only sessionkit writes and `clear()` keeps. */
export function isIdentityKey(key: string): boolean {
  return key.charCodeAt(0) === 95 && key.charCodeAt(1) === 95 && (key === HANDLE_KEY || key === CREATED_AT_KEY || key === USER_ID_KEY || key === LOGIN_AT_KEY);
}

const HANDLE_BYTES = 16;
// One randomFillSync call serves 256 handles; each 16-byte window is used once.
const pool = Buffer.allocUnsafe(HANDLE_BYTES * 256);
let poolOffset = pool.length;

/** A new handle: 16 CSPRNG bytes, base64url (22 chars). */
export function generateHandle(): string {
  if (poolOffset === pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const handle = pool.toString('base64url', poolOffset, poolOffset + HANDLE_BYTES);
  poolOffset += HANDLE_BYTES;
  return handle;
}

/** Adds a handle and a creation time to `values` unless it has them (a session's first commit). */
export function ensureIdentity(values: Map<string, unknown>, now: number): void {
  if (values.has(HANDLE_KEY)) return;
  values.set(HANDLE_KEY, generateHandle());
  values.set(CREATED_AT_KEY, now);
}

/** Copies the identity keys of `from` into `to`. */
export function copyIdentity(from: ReadonlyMap<string, unknown>, to: Map<string, unknown>): void {
  for (const key of [HANDLE_KEY, CREATED_AT_KEY, USER_ID_KEY, LOGIN_AT_KEY]) {
    if (from.has(key)) to.set(key, from.get(key));
  }
}

/** The user id recorded in a session's values, or undefined. */
export function userIdOf(values: ReadonlyMap<string, unknown>): string | undefined {
  const userId = values.get(USER_ID_KEY);
  return typeof userId === 'string' ? userId : undefined;
}

/** The handle recorded in a session's values, or ''. */
export function handleOf(values: ReadonlyMap<string, unknown>): string {
  const handle = values.get(HANDLE_KEY);
  return typeof handle === 'string' ? handle : '';
}

/**
 * A user id as sessions record it: a non-empty string or a finite integer (kept as its string),
 * at most 255 characters, well-formed, without control characters (the owner every store
 * accepts). Throws a TypeError naming `what` otherwise (without the value).
 */
export function userIdString(userId: unknown, what: string): string {
  const text = typeof userId === 'number' && Number.isInteger(userId) ? String(userId) : userId;
  if (!isValidOwner(text)) {
    throw new TypeError(
      `sessionkit: ${what} takes a user id: a non-empty string of at most ${MAX_OWNER_LENGTH} characters without control characters or lone surrogates, or an integer`,
    );
  }
  return text;
}

/** The error for a put or remove of an identity key. */
export function reservedKeyError(key: string): TypeError {
  return new TypeError(`sessionkit: session: ${key} is kept by sessionkit itself (use login() for the user id)`);
}

/** True when `values` hold anything besides the identity keys (rememberMe counts as data). */
export function hasData(values: ReadonlyMap<string, unknown>): boolean {
  for (const key of values.keys()) if (!isIdentityKey(key)) return true;
  return false;
}
