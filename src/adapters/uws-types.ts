// Public types of sessionkit/uws: the response a session handler writes to, and the handler itself.
import type { HttpRequest, HttpResponse } from 'uWebSockets.js';
import type { SessionManager } from '../manager.js';
import type { Session } from '../session.js';
import type { AdapterOptions, ErrorHandler, ResolvedAdapterOptions } from './options.js';

/** The `res` a session handler receives: a uWS HttpResponse plus two read-only flags. */
export interface SessionHttpResponse extends HttpResponse {
  /** True once the client went away; every write is then ignored. */
  readonly aborted: boolean;
  /** True once the response has started (the handler ended it or started streaming). */
  readonly headersSent: boolean;
}

/** A handler wrapped by `withSession`. */
export type UwsSessionHandler<Data extends object> = (res: SessionHttpResponse, req: HttpRequest, session: Session<Data>) => void | Promise<void>;

/**
 * Options of `uwsSessions`. `onError` gets `req` only while it is valid (before the first await),
 * else `undefined`; `res` is the session response (`res.aborted`, `res.headersSent` tell what is safe).
 */
export type UwsSessionOptions = AdapterOptions<HttpRequest | undefined, SessionHttpResponse>;

/** `uwsSessions` options with defaults applied. @internal */
export type UwsResolvedOptions = ResolvedAdapterOptions<ErrorHandler<HttpRequest | undefined, SessionHttpResponse>>;

/** Everything a response needs from its adapter, shared by all requests of one wrapped handler. @internal */
export interface UwsContext<Data extends object> {
  readonly manager: SessionManager<Data>;
  readonly options: UwsResolvedOptions;
  readonly handler: UwsSessionHandler<Data>;
}
