// sessionkit/uws: session handlers and WebSocket upgrades for uWebSockets.js.
import type { HttpRequest, HttpResponse, us_socket_context_t } from 'uWebSockets.js';
import type { SessionManager } from '../manager.js';
import type { Session } from '../session.js';
import { isPromiseLike } from '../store.js';
import { logRequestError, resolveAdapterOptions, tokenFromHeader, type AdapterOptions, type ResolvedAdapterOptions } from './options.js';
import { CopiedRequest } from './uws-request.js';
import { SessionResponse, type SessionHttpResponse, type UwsContext, type UwsSessionHandler } from './uws-response.js';

export type { SessionHttpResponse, UwsSessionHandler } from './uws-response.js';

/**
 * Options of `uwsSessions`. `onError` gets `req` only while it is valid (before the first await),
 * else `undefined`; `res` is the session response (`res.aborted`, `res.headersSent` tell what is safe).
 */
export type UwsSessionOptions = AdapterOptions<HttpRequest | undefined, SessionHttpResponse>;

/** The socket user data made by `withSession.upgrade()`: yours, plus the session. */
export type SessionUserData<Data extends object, Extra extends object = object> = Extra & { session: Session<Data> };

/** A uWS route handler. */
export type UwsRouteHandler = (res: HttpResponse, req: HttpRequest) => void;

/** A uWS `upgrade` handler. */
export type UwsUpgradeHandler = (res: HttpResponse, req: HttpRequest, context: us_socket_context_t) => void;

/** What `uwsSessions` returns: a handler wrapper, with `upgrade` for WebSocket routes. */
export interface WithSession<Data extends object> {
  (handler: UwsSessionHandler<Data>): UwsRouteHandler;
  /**
   * A `upgrade` handler for `app.ws()` that loads the session and upgrades with
   * `{ ...extra(req), session }` as the socket's user data. Read it in `open`/`message` with
   * `ws.getUserData().session`; there is no response to carry a cookie, so commit changes
   * yourself with `manager.commit(session)`.
   */
  upgrade<Extra extends object = object>(extra?: (req: HttpRequest) => Extra): UwsUpgradeHandler;
}

function defaultOnError(error: unknown, _req: HttpRequest | undefined, res: SessionHttpResponse): void {
  logRequestError('uws', error);
  if (res.aborted || res.headersSent) return;
  res.cork(() => {
    res.writeStatus('500 Internal Server Error').writeHeader('Content-Type', 'text/plain; charset=utf-8').end('Internal Server Error');
  });
}

/**
 * Wraps uWS handlers so they get the request's session, loaded before and saved after.
 *
 * The token is copied from `req` synchronously; the `res` handed to the handler holds status,
 * headers and body until the session is saved, then writes them with `Vary: Cookie` and (when the
 * cookie changes) `Set-Cookie` + `Cache-Control: no-cache="Set-Cookie"` in one cork. With a
 * synchronous store (MemoryStore, LmdbStore) and a handler that returns no promise, the request
 * runs without a promise. If the store answers with a promise, the handler gets a copy of `req`.
 *
 * @param manager the SessionManager
 * @param options `onError(err, req, res)` (default: log without the token, answer 500) and
 *   `tokenHeader` (read and send the token in this header instead of a cookie)
 * @example
 * const withSession = uwsSessions(sessions);
 * app.get('/put', withSession((res, req, session) => {
 *   session.put('message', 'Hello from a session!');
 *   res.end();
 * }));
 */
export function uwsSessions<Data extends object>(manager: SessionManager<Data>, options?: UwsSessionOptions): WithSession<Data> {
  const resolved = resolveAdapterOptions(options, defaultOnError);
  const withSession = (handler: UwsSessionHandler<Data>): UwsRouteHandler => {
    if (typeof handler !== 'function') throw new TypeError('sessionkit: uws: withSession() takes a handler function');
    const ctx: UwsContext<Data> = { manager, options: resolved, handler };
    return function sessionHandler(res: HttpResponse, req: HttpRequest): void {
      const token = tokenFromHeader(manager, resolved.tokenHeader, req.getHeader(resolved.requestHeader));
      const response = new SessionResponse(res, ctx);
      const loaded = loadOrFail(manager, token, response, req);
      if (loaded === undefined) return;
      if (isPromiseLike(loaded)) {
        const copy = new CopiedRequest(req);
        response.watch();
        response.bufferBody();
        response.corked = false;
        loaded.then(
          (session) => response.run(session, copy),
          (error: unknown) => response.fail(error, undefined, true),
        );
        return;
      }
      response.run(loaded, req);
      response.corked = false;
    };
  };
  return Object.assign(withSession, {
    upgrade<Extra extends object = object>(extra?: (req: HttpRequest) => Extra): UwsUpgradeHandler {
      return upgradeHandler(manager, resolved, extra);
    },
  });
}

function upgradeHandler<Data extends object, Extra extends object>(
  manager: SessionManager<Data>,
  options: ResolvedAdapterOptions<HttpRequest | undefined, SessionHttpResponse>,
  extra: ((req: HttpRequest) => Extra) | undefined,
): UwsUpgradeHandler {
  if (extra !== undefined && typeof extra !== 'function') throw new TypeError('sessionkit: uws: upgrade() takes a function that returns user data');
  return function sessionUpgrade(res: HttpResponse, req: HttpRequest, context: us_socket_context_t): void {
    const token = tokenFromHeader(manager, options.tokenHeader, req.getHeader(options.requestHeader));
    const key = req.getHeader('sec-websocket-key');
    const protocol = req.getHeader('sec-websocket-protocol');
    const extensions = req.getHeader('sec-websocket-extensions');
    const data = (extra === undefined ? {} : extra(req)) as SessionUserData<Data, Extra>;
    // The upgrade response is a plain uWS response; a SessionResponse serves only onError's 500.
    const fallback = new SessionResponse<Data>(res, { manager, options, handler: noHandler });
    const loaded = loadOrFail(manager, token, fallback, req);
    if (loaded === undefined) return;
    if (!isPromiseLike(loaded)) {
      data.session = loaded;
      res.upgrade(data, key, protocol, extensions, context);
      return;
    }
    fallback.watch();
    fallback.corked = false;
    loaded.then(
      (session) => {
        if (fallback.aborted) return;
        data.session = session;
        fallback.phase = 3; // the raw response now belongs to the socket
        res.cork(() => res.upgrade(data, key, protocol, extensions, context));
      },
      (error: unknown) => fallback.fail(error, undefined, true),
    );
  };
}

function noHandler(): void {}

/** `manager.loadNow`, or undefined after answering through onError when the store throws synchronously. */
function loadOrFail<Data extends object>(
  manager: SessionManager<Data>,
  token: string | undefined,
  response: SessionResponse<Data>,
  req: HttpRequest,
): Session<Data> | Promise<Session<Data>> | undefined {
  try {
    return manager.loadNow(token);
  } catch (error) {
    response.fail(error, req, true);
    response.corked = false;
    return undefined;
  }
}
