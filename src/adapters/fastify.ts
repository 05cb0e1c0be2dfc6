// sessionkit/fastify: a Fastify plugin that loads the session in onRequest and saves it in onSend.
import type { FastifyInstance, FastifyPluginCallback, FastifyReply, FastifyRequest } from 'fastify';
import fastifyPlugin from 'fastify-plugin';
import { SaveAction, type SessionManager } from '../manager.js';
import type { Session, SessionData } from '../session.js';
import { isPromiseLike } from '../store.js';
import { withListValue } from './header-values.js';
import { logRequestError, resolveAdapterOptions, saveSnapshot, tokenFromHeader, type ResolvedAdapterOptions } from './options.js';

/**
 * Declare your session shape for `request.session` by augmenting this interface:
 * `declare module 'sessionkit/fastify' { interface FastifySessionTypes { data: { userId: number } } }`.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface FastifySessionTypes {}

/** The data shape of `request.session`: `FastifySessionTypes['data']` when declared, else any record. */
export type FastifySessionData = FastifySessionTypes extends { data: infer D extends object } ? D : SessionData;

declare module 'fastify' {
  interface FastifyRequest {
    /** The request's session, loaded by `sessionkit/fastify` (null only while onError answers a failed load). */
    session: Session<FastifySessionData>;
  }
}

/**
 * The manager the plugin accepts: a `SessionManager<Data>` of the declared data shape, or any
 * manager while none is declared.
 */
export type FastifySessionManager = FastifySessionTypes extends { data: infer D extends object } ? SessionManager<D> : SessionManager<any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Options of the `fastifySessions` plugin. */
export interface FastifySessionsOptions {
  /** The SessionManager whose sessions this plugin loads and saves. */
  manager: FastifySessionManager;
  /**
   * Called when loading or saving the session fails (a store error). The reply it sends is the
   * answer; if it sends nothing (or its promise settles without a reply), the plugin answers 500.
   * Default: log the error (never the token) and answer 500.
   */
  onError?: (error: unknown, request: FastifyRequest, reply: FastifyReply) => void | Promise<void>;
  /**
   * Read the token from this request header instead of the cookie, and send a new or renewed
   * token back in the same response header (no cookie). For API clients. Default: off.
   */
  tokenHeader?: string;
}

type ErrorHandler = NonNullable<FastifySessionsOptions['onError']>;
type Options = ResolvedAdapterOptions<FastifyRequest, FastifyReply>;
type Manager = SessionManager<FastifySessionData>;

// Where a request is: its session is 'open' until onSend saves it ('saved'); 'skipped' after a
// handler error (nothing is committed); 'failed' while onError answers a store failure, and
// 'answered' once that answer passed onSend.
type Phase = 'open' | 'skipped' | 'failed' | 'answered' | 'saved';
const kPhase = Symbol('sessionkit.phase');
interface SessionRequestState {
  [kPhase]: Phase | null;
}
const phaseOf = (request: FastifyRequest): Phase | null => (request as unknown as SessionRequestState)[kPhase];
const setPhase = (request: FastifyRequest, phase: Phase): void => {
  (request as unknown as SessionRequestState)[kPhase] = phase;
};

function defaultOnError(error: unknown, _request: FastifyRequest, reply: FastifyReply): void {
  logRequestError('fastify', error);
  answer500(reply);
}

function answer500(reply: FastifyReply): void {
  reply.code(500).type('text/plain; charset=utf-8').send('Internal Server Error');
}

function sessionsPlugin(fastify: FastifyInstance, options: FastifySessionsOptions, done: (error?: Error) => void): void {
  let manager: Manager;
  let resolved: Options;
  try {
    if (options === null || typeof options !== 'object') throw new TypeError('sessionkit: option options must be an object with a manager');
    manager = options.manager;
    if (manager === null || typeof manager !== 'object' || typeof manager.loadNow !== 'function') {
      throw new TypeError('sessionkit: option manager must be a SessionManager');
    }
    resolved = resolveAdapterOptions<FastifyRequest, FastifyReply>(
      { onError: options.onError as Options['onError'] | undefined, tokenHeader: options.tokenHeader },
      defaultOnError,
    );
  } catch (error) {
    done(error as Error);
    return;
  }
  const onError = resolved.onError as ErrorHandler;

  fastify.decorateRequest('session', null as unknown as Session<FastifySessionData>);
  fastify.decorateRequest(kPhase, null);

  fastify.addHook('onRequest', function loadSession(request, reply, next) {
    const header = request.headers[resolved.requestHeader];
    const token = tokenFromHeader(manager, resolved.tokenHeader, Array.isArray(header) ? header[0] : header);
    let loaded: Session<FastifySessionData> | Promise<Session<FastifySessionData>>;
    try {
      loaded = manager.loadNow(token);
    } catch (error) {
      fail(onError, error, request, reply, undefined);
      return;
    }
    if (!isPromiseLike(loaded)) {
      request.session = loaded;
      setPhase(request, 'open');
      next();
      return;
    }
    loaded.then(
      (session) => {
        request.session = session;
        setPhase(request, 'open');
        next();
      },
      (error: unknown) => fail(onError, error, request, reply, undefined),
    );
  });

  // Fastify calls onError hooks for a handler that throws, rejects or sends an Error.
  fastify.addHook('onError', function skipCommit(request, _reply, _error, next) {
    if (phaseOf(request) === 'open') setPhase(request, 'skipped');
    next();
  });

  fastify.addHook('onSend', function saveSession(request, reply, payload, next) {
    reply.header('vary', withListValue(reply.getHeader('vary'), resolved.vary));
    const phase = phaseOf(request);
    if (phase === 'failed') setPhase(request, 'answered');
    if (phase !== 'open') return next(null, payload);
    if (reply.statusCode >= 500) {
      setPhase(request, 'skipped');
      return next(null, payload);
    }
    const session = request.session;
    let action: SaveAction | Promise<SaveAction>;
    try {
      action = saveSnapshot(manager, session);
    } catch (error) {
      fail(onError, error, request, reply, payload);
      return;
    }
    if (!isPromiseLike(action)) {
      saved(manager, resolved, request, reply, action);
      next(null, payload);
      return;
    }
    action.then(
      (settled) => {
        saved(manager, resolved, request, reply, settled);
        next(null, payload);
      },
      (error: unknown) => fail(onError, error, request, reply, payload),
    );
  });
  done();
}

/** Sets the session's headers on a reply whose session was saved. */
function saved(manager: Manager, options: Options, request: FastifyRequest, reply: FastifyReply, action: SaveAction): void {
  setPhase(request, 'saved');
  if (action === SaveAction.None) return;
  if (options.tokenHeader === undefined) reply.header('set-cookie', manager.setCookieHeader(request.session, action));
  else reply.header(options.tokenHeader, action === SaveAction.ClearCookie ? '' : request.session.token);
  reply.header('cache-control', withListValue(reply.getHeader('cache-control'), options.cacheControl));
}

/**
 * A store failure: the handler's payload is dropped and onError answers instead. The reply it
 * sends passes through onSend again (phase 'failed' lets it by with Vary). If onError sends
 * nothing, the answer is a 500.
 */
function fail(onError: ErrorHandler, error: unknown, request: FastifyRequest, reply: FastifyReply, payload: unknown): void {
  setPhase(request, 'failed');
  discard(payload);
  // As Fastify does before its own error handler: the handler's body type and length no longer apply.
  reply.removeHeader('content-type');
  reply.removeHeader('content-length');
  let result: void | Promise<void> = undefined;
  try {
    result = onError(error, request, reply);
  } catch (secondary) {
    logRequestError('fastify', secondary);
  }
  if (isPromiseLike(result)) {
    result.then(
      () => answerIfSilent(request, reply),
      (secondary: unknown) => {
        logRequestError('fastify', secondary);
        answerIfSilent(request, reply);
      },
    );
  } else {
    answerIfSilent(request, reply);
  }
}

function answerIfSilent(request: FastifyRequest, reply: FastifyReply): void {
  if (phaseOf(request) === 'failed' && !reply.sent) answer500(reply);
}

/** Releases a stream payload that will never be sent. */
function discard(payload: unknown): void {
  if (payload === null || typeof payload !== 'object') return;
  const stream = payload as { destroy?: () => void; cancel?: () => Promise<void> };
  if (typeof stream.destroy === 'function') stream.destroy();
  else if (typeof stream.cancel === 'function') stream.cancel().catch(() => {});
}

/**
 * Session plugin for Fastify (5). Loads the session into `request.session` in `onRequest` and
 * saves it in `onSend`, before the reply's headers go out, adding `Vary: Cookie` to every reply
 * and, when the cookie changes, `Set-Cookie` and `Cache-Control: no-cache="Set-Cookie"`. A handler
 * error or a 5xx reply commits nothing. A store failure is answered by `onError` (500 by default).
 * A hijacked reply (`reply.hijack()`) gets no session headers and no save: commit yourself with
 * `manager.commit(request.session)`.
 *
 * @example
 * await app.register(fastifySessions, { manager: sessions });
 * app.get('/put', async (request) => { request.session.put('message', 'Hello'); return 'ok'; });
 */
export const fastifySessions: FastifyPluginCallback<FastifySessionsOptions> = fastifyPlugin(sessionsPlugin, {
  fastify: '5.x',
  name: 'sessionkit',
});

export default fastifySessions;
