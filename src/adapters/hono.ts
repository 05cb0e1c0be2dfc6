// sessionkit/hono: Hono middleware that loads the session before `next()` and saves it before the response is returned.
import type { Context, MiddlewareHandler } from 'hono';
import { SaveAction, type SessionManager } from '../manager.js';
import type { Session } from '../session.js';
import { isPromiseLike } from '../store.js';
import { withListValue } from './header-values.js';
import { logRequestError, resolveAdapterOptions, saveSnapshot, tokenFromHeader, type ResolvedAdapterOptions } from './options.js';

/** The variables `honoSessions` sets: `c.get('session')`. Put them in `new Hono<{ Variables: SessionVariables<Data> }>()`. */
export interface SessionVariables<Data extends object> {
  session: Session<Data>;
}

/** A Hono `Env` with the session variable: `new Hono<SessionEnv<Data>>()`. */
export interface SessionEnv<Data extends object> {
  Variables: SessionVariables<Data>;
}

/** Options of `honoSessions`. */
export interface HonoSessionOptions {
  /**
   * Called when loading or saving the session fails (a store error); returns (or resolves to) the
   * Response to send, as Hono's `app.onError`. `Vary` is added to it. Default: log the error
   * (never the token) and answer 500.
   */
  onError?: (error: unknown, c: Context) => Response | Promise<Response>;
  /**
   * Read the token from this request header instead of the cookie, and send a new or renewed
   * token back in the same response header (no cookie). For API clients. Default: off.
   */
  tokenHeader?: string;
}

type ErrorHandler = NonNullable<HonoSessionOptions['onError']>;
type Options = ResolvedAdapterOptions<Context, undefined>;

function defaultOnError(error: unknown): Response {
  logRequestError('hono', error);
  return internalError();
}

function internalError(): Response {
  return new Response('Internal Server Error', { status: 500, headers: { 'content-type': 'text/plain; charset=utf-8' } });
}

/**
 * Session middleware for Hono. Loads the session (`c.get('session')`), runs the rest of the chain,
 * then saves the session and adds `Vary: Cookie` and, when the cookie changes, `Set-Cookie` and
 * `Cache-Control: no-cache="Set-Cookie"` to `c.res`. A handler that throws (Hono's `onError`
 * answered) or a 5xx response commits nothing. A store failure is answered by `onError`.
 *
 * @param manager the SessionManager
 * @param options `onError(err, c)` returning the Response to send (default: log without the
 *   token, 500) and `tokenHeader` (token in this header, no cookie)
 * @example
 * const app = new Hono<SessionEnv<{ message: string }>>();
 * app.use(honoSessions(sessions));
 * app.get('/get', (c) => c.text(c.get('session').getString('message')));
 */
export function honoSessions<Data extends object>(manager: SessionManager<Data>, options?: HonoSessionOptions): MiddlewareHandler<SessionEnv<Data>> {
  if (manager === null || typeof manager !== 'object' || typeof manager.loadNow !== 'function') {
    throw new TypeError('sessionkit: option manager must be a SessionManager');
  }
  const resolved = resolveAdapterOptions<Context, undefined>(options, defaultOnError);
  const onError = resolved.onError as unknown as ErrorHandler;

  return async function sessionMiddleware(c, next) {
    const token = tokenFromHeader(manager, resolved.tokenHeader, c.req.header(resolved.requestHeader));
    let session: Session<Data>;
    try {
      const loaded = manager.loadNow(token);
      session = isPromiseLike(loaded) ? await loaded : loaded;
    } catch (error) {
      return failure(onError, resolved, error, c);
    }
    c.set('session', session);
    await next();
    if (c.error !== undefined || c.res.status >= 500) {
      setVary(c, resolved);
      return;
    }
    let action: SaveAction;
    try {
      const saved = saveSnapshot(manager, session);
      action = isPromiseLike(saved) ? await saved : saved;
    } catch (error) {
      // Replace the handler's response outright: Hono's setter would otherwise copy its headers.
      c.res = undefined as unknown as Response;
      c.res = await failure(onError, resolved, error, c);
      return;
    }
    setVary(c, resolved);
    if (action === SaveAction.None) return;
    const headers = c.res.headers;
    if (resolved.tokenHeader === undefined) headers.append('set-cookie', manager.setCookieHeader(session, action));
    else headers.set(resolved.tokenHeader, action === SaveAction.ClearCookie ? '' : session.token);
    headers.set('cache-control', withListValue(headers.get('cache-control'), resolved.cacheControl));
  };
}

/** Adds Vary to `c.res`, first copying a response whose headers are immutable (one from `fetch`). */
function setVary(c: Context, options: Options): void {
  try {
    c.res.headers.set('vary', withListValue(c.res.headers.get('vary'), options.vary));
  } catch {
    c.res = new Response(c.res.body, c.res);
    c.res.headers.set('vary', withListValue(c.res.headers.get('vary'), options.vary));
  }
}

function isResponse(value: unknown): value is Response {
  return value !== null && typeof value === 'object' && typeof (value as Response).status === 'number' && typeof (value as Response).headers === 'object';
}

/** onError's Response (a 500 when it throws or returns none), with Vary. */
async function failure(onError: ErrorHandler, options: Options, error: unknown, c: Context): Promise<Response> {
  let response: unknown;
  try {
    response = await onError(error, c);
  } catch (secondary) {
    logRequestError('hono', secondary);
  }
  const answer = isResponse(response) ? response : internalError();
  try {
    answer.headers.set('vary', withListValue(answer.headers.get('vary'), options.vary));
    return answer;
  } catch {
    const copy = new Response(answer.body, answer);
    copy.headers.set('vary', withListValue(copy.headers.get('vary'), options.vary));
    return copy;
  }
}
