// Options shared by every adapter: validation, token lookup, and token-free error logging.
import { optionError } from '../errors.js';
import type { SaveAction, SessionManager } from '../manager.js';
import type { Session } from '../session.js';
import { isToken } from '../token.js';

/** Options of `uwsSessions` and `nodeSessions`. */
export interface AdapterOptions<Req, Res> {
  /**
   * Called when loading or saving the session fails (a store error) or the handler throws.
   * It may answer at once or return a promise; a response still unanswered when it returns (or
   * when its promise settles) gets a 500, or is cut off when it had already started. A promise
   * still pending after the store's `timeout` (5 s for a store without one) is abandoned the same way.
   * Default: log the error (never the token) and answer 500 when nothing has been sent yet.
   */
  onError?: ErrorHandler<Req, Res>;
  /**
   * Read the token from this request header instead of the cookie, and send a new or renewed
   * token back in the same response header (no cookie). For API clients. Default: off.
   */
  tokenHeader?: string;
}

/** An adapter's `onError`: answers now, or returns a promise that settles once it answered. */
export type ErrorHandler<Req, Res> = (error: unknown, req: Req, res: Res) => void | PromiseLike<void>;

/** What the options of every adapter hold, whatever the shape of its `onError`. @internal */
export interface CommonAdapterOptions<OnError> {
  onError?: OnError;
  tokenHeader?: string;
}

/** Adapter options with defaults applied. @internal */
export interface ResolvedAdapterOptions<OnError> {
  /** The user's onError; undefined for the default (log without the token, then the save gate answers 500). */
  onError: OnError | undefined;
  /** Lower-cased header name, or undefined in cookie mode. */
  tokenHeader: string | undefined;
  /** The request header that carries the token: `cookie` or `tokenHeader`. */
  requestHeader: string;
  /** The value of `Vary` on every response. */
  vary: string;
  /** The value of `Cache-Control` on a response that sets or clears the token. */
  cacheControl: string;
}

const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const FORBIDDEN = new Set(['cookie', 'set-cookie', 'vary', 'cache-control', 'content-length', 'transfer-encoding', 'connection', 'host']);

/** Checks that `manager` is a SessionManager (TypeError naming the option). @internal */
export function checkManager(manager: unknown): void {
  if (manager === null || typeof manager !== 'object' || typeof (manager as SessionManager<object>).loadNow !== 'function') {
    throw optionError('manager', 'must be a SessionManager', manager);
  }
}

/** Validates adapter options (TypeError naming the option) and applies defaults. @internal */
export function resolveAdapterOptions<OnError extends (...args: never[]) => unknown>(
  options: CommonAdapterOptions<OnError> | undefined,
): ResolvedAdapterOptions<OnError> {
  if (options === undefined) options = {};
  if (options === null || typeof options !== 'object') throw optionError('options', 'must be an object', options);
  const { onError, tokenHeader } = options;
  if (onError !== undefined && typeof onError !== 'function') throw optionError('onError', 'must be a function', onError);
  if (tokenHeader !== undefined) {
    if (typeof tokenHeader !== 'string' || !HEADER_NAME.test(tokenHeader)) {
      throw optionError('tokenHeader', 'must be an HTTP header name such as "X-Session-Token"', tokenHeader);
    }
    if (FORBIDDEN.has(tokenHeader.toLowerCase())) throw optionError('tokenHeader', 'must not be a header HTTP or sessionkit already uses', tokenHeader);
  }
  const name = tokenHeader?.toLowerCase();
  return {
    onError,
    tokenHeader: name,
    requestHeader: name ?? 'cookie',
    vary: tokenHeader ?? 'Cookie',
    cacheControl: `no-cache="${tokenHeader ?? 'Set-Cookie'}"`,
  };
}

/**
 * The token a request carries in `value` (its Cookie header, or the token header; the first line
 * when the framework gives several), if token-shaped. @internal
 */
export function tokenFromHeader<Data extends object>(
  manager: SessionManager<Data>,
  tokenHeader: string | undefined,
  value: string | readonly string[] | undefined,
): string | undefined {
  if (typeof value === 'object') value = value[0];
  if (tokenHeader === undefined) return manager.tokenFromCookie(value);
  return isToken(value) ? value : undefined;
}

// A 43-character base64url run: the shape of a token. Store drivers may echo keys in their errors.
const TOKEN_LIKE = /(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])/g;

/** An error's message (and its cause's), with anything token-shaped replaced by `[token]`. @internal */
export function describeError(error: unknown): string {
  let text = error instanceof Error ? error.message : String(error);
  const cause = error instanceof Error ? error.cause : undefined;
  if (cause !== undefined) text += ` (cause: ${cause instanceof Error ? cause.message : String(cause)})`;
  return text.replace(TOKEN_LIKE, '[token]');
}

/** Logs a request failure without any token in it. @internal */
export function logRequestError(adapter: string, error: unknown): void {
  console.error(`sessionkit: ${adapter}: request failed: ${describeError(error)}`);
}

/**
 * `manager.saveNow`, after which the session reads 'unmodified' (saveNow marks it once its bytes
 * are encoded): a change made while the write is in flight (or while a response streams) marks
 * the session modified again and is saved before the response ends. @internal
 */
export function saveSnapshot<Data extends object>(manager: SessionManager<Data>, session: Session<Data>): SaveAction | Promise<SaveAction> {
  return manager.saveNow(session);
}
