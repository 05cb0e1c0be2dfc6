// sessionkit/node: Connect/Express middleware and a plain node:http handler wrapper, on public node:http APIs only.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SessionManager } from '../manager.js';
import type { Session, SessionData } from '../session.js';
import { NodeOutput } from './node-hooks.js';
import { checkManager, resolveAdapterOptions, tokenFromHeader, type AdapterOptions } from './options.js';
import type { SaveGate } from './save-gate.js';
import { isPromiseLike } from '../store.js';

/**
 * Declare your session shape for `req.session` by augmenting this interface:
 * `declare module 'sessionkit/node' { interface NodeSessionTypes { data: { userId: number } } }`.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface NodeSessionTypes {}

/** The data shape of `req.session`: `NodeSessionTypes['data']` when declared, else any record. */
export type RequestSessionData = NodeSessionTypes extends { data: infer D extends object } ? D : SessionData;

declare module 'http' {
  interface IncomingMessage {
    /** The request's session, set by `sessionkit/node`. */
    session: Session<RequestSessionData>;
  }
}

/** Options of `nodeSessions`. */
export type NodeSessionOptions = AdapterOptions<IncomingMessage, ServerResponse>;

/** A request whose session has the shape `Data`. */
export type SessionRequest<Data extends object> = Omit<IncomingMessage, 'session'> & { session: Session<Data> };

/** A plain node:http handler that gets the session on `req.session`. */
export type NodeSessionHandler<Data extends object> = (req: SessionRequest<Data>, res: ServerResponse) => void | Promise<void>;

/** What `nodeSessions` returns: Connect/Express middleware, with `wrap` for plain node:http handlers. */
export interface NodeSessions<Data extends object> {
  (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void): void;
  /** Wraps a `http.createServer` handler: `http.createServer(sessions.wrap((req, res) => ...))`. */
  wrap(handler: NodeSessionHandler<Data>): (req: IncomingMessage, res: ServerResponse) => void;
}

/**
 * Session middleware for Connect/Express (4 and 5) and node:http. Loads the session into
 * `req.session`; the first `writeHead`/`write`/`end`/`flushHeaders` saves it and adds
 * `Vary: Cookie` and, when the cookie changes, `Set-Cookie` and `Cache-Control: no-cache="Set-Cookie"`
 * before the headers go out, alongside any the handler set (`writeHead(status, headers)` included).
 * The response does not finish before the save succeeded; a save that fails after the headers
 * went out destroys the connection. A response with a 5xx status commits nothing.
 *
 * @param manager the SessionManager
 * @param options `onError(err, req, res)` (default: log without the token, answer 500 or destroy
 *   the connection when headers were sent) and `tokenHeader` (token in this header, no cookie)
 * @example
 * app.use(nodeSessions(sessions));
 * app.get('/get', (req, res) => res.type('text').send(req.session.getString('message')));
 * // or: http.createServer(nodeSessions(sessions).wrap((req, res) => res.end(req.session.getString('message'))));
 */
export function nodeSessions<Data extends object>(manager: SessionManager<Data>, options?: NodeSessionOptions): NodeSessions<Data> {
  checkManager(manager);
  const resolved = resolveAdapterOptions(options);
  type Gate = SaveGate<Data, IncomingMessage>;
  type Proceed = (gate: Gate, req: IncomingMessage, res: ServerResponse, next: ((error?: unknown) => void) | undefined) => void;
  /** Loads the session onto `req.session`, then calls `proceed` (never after a failure); no closure when the load is synchronous. */
  function start(req: IncomingMessage, res: ServerResponse, proceed: Proceed, next: ((error?: unknown) => void) | undefined): void {
    const gate = new NodeOutput(manager, resolved, req, res).gate as Gate;
    const loaded = gate.load(tokenFromHeader(manager, resolved.tokenHeader, req.headers[resolved.requestHeader]), req);
    if (loaded === undefined) return;
    if (!isPromiseLike(loaded)) {
      (req as unknown as { session: Session<Data> }).session = loaded;
      proceed(gate, req, res, next);
      return;
    }
    loaded.then((session) => {
      if (session === undefined) return;
      (req as unknown as { session: Session<Data> }).session = session;
      proceed(gate, req, res, next);
    });
  }
  function sessionMiddleware(req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void): void {
    start(req, res, callNext, next);
  }
  return Object.assign(sessionMiddleware, {
    wrap(handler: NodeSessionHandler<Data>) {
      if (typeof handler !== 'function') throw new TypeError('sessionkit: node: wrap() takes a handler function');
      function run(gate: Gate, req: IncomingMessage, res: ServerResponse): void {
        let result: void | Promise<void>;
        try {
          result = handler(req as unknown as SessionRequest<Data>, res);
        } catch (error) {
          gate.fail(error, req);
          return;
        }
        gate.handlerReturned(result);
      }
      return function sessionHandler(req: IncomingMessage, res: ServerResponse): void {
        start(req, res, run, undefined);
      };
    },
  });
}

function callNext(_gate: unknown, _req: unknown, _res: unknown, next: ((error?: unknown) => void) | undefined): void {
  next!();
}
