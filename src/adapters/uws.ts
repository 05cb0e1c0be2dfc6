// sessionkit/uws: session handlers and WebSocket upgrades for uWebSockets.js.
import type { HttpRequest, HttpResponse, us_socket_context_t } from 'uWebSockets.js';
import type { SessionManager } from '../manager.js';
import type { Session } from '../session.js';
import { checkManager, resolveAdapterOptions, tokenFromHeader } from './options.js';
import { tokenFromCookieLines } from './uws-request.js';
import { SessionResponse } from './uws-response.js';
import type { UwsContext, UwsResolvedOptions, UwsSessionHandler, UwsSessionOptions } from './uws-types.js';

export type { SessionHttpResponse, UwsSessionHandler, UwsSessionOptions } from './uws-types.js';

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

/**
 * Wraps uWS handlers so they get the request's session, loaded before and saved after.
 *
 * The token is copied from `req` synchronously; the `res` handed to the handler holds status,
 * headers and body until the session is saved, then writes them with `Vary: Cookie` and (when the
 * cookie changes) `Set-Cookie` + `Cache-Control: no-cache="Set-Cookie"` in one cork. With a
 * synchronous store (MemoryStore, LmdbStore) and a handler that returns no promise, the request
 * runs without a promise. If the store answers with a promise, the handler gets a copy of `req`,
 * and the request body is held for it (at most 64 KiB plus the network read in progress; beyond, reading pauses until the handler
 * calls `res.onData`; a body it never reads is dropped). A handler that throws or rejects, or a
 * response with a 5xx status, commits nothing.
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
  checkManager(manager);
  const resolved = resolveAdapterOptions(options);
  const withSession = (handler: UwsSessionHandler<Data>): UwsRouteHandler => {
    if (typeof handler !== 'function') throw new TypeError('sessionkit: uws: withSession() takes a handler function');
    const ctx: UwsContext<Data> = { manager, options: resolved, handler };
    return function sessionHandler(res: HttpResponse, req: HttpRequest): void {
      new SessionResponse(res, ctx).serve(req, requestToken(manager, resolved, req));
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
  options: UwsResolvedOptions,
  extra: ((req: HttpRequest) => Extra) | undefined,
): UwsUpgradeHandler {
  if (extra !== undefined && typeof extra !== 'function') throw new TypeError('sessionkit: uws: upgrade() takes a function that returns user data');
  // The upgrade response is a plain uWS response; a SessionResponse serves only onError's 500.
  const ctx: UwsContext<Data> = { manager, options, handler: noHandler };
  return function sessionUpgrade(res: HttpResponse, req: HttpRequest, context: us_socket_context_t): void {
    const token = requestToken(manager, options, req);
    const key = req.getHeader('sec-websocket-key');
    const protocol = req.getHeader('sec-websocket-protocol');
    const extensions = req.getHeader('sec-websocket-extensions');
    const data = (extra === undefined ? {} : extra(req)) as SessionUserData<Data, Extra>;
    new SessionResponse(res, ctx).serveUpgrade(req, token, (session) => {
      data.session = session;
      res.upgrade(data, key, protocol, extensions, context);
    });
  };
}

/** The token a request carries: in the token header (its first line), or in any of its Cookie lines. */
function requestToken<Data extends object>(manager: SessionManager<Data>, options: UwsResolvedOptions, req: HttpRequest): string | undefined {
  if (options.tokenHeader === undefined) return tokenFromCookieLines(req, manager.cookie.name);
  return tokenFromHeader(manager, options.tokenHeader, req.getHeader(options.requestHeader));
}

function noHandler(): void {}
