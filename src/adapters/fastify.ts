// sessionkit/fastify: a Fastify plugin that loads the session in onRequest and saves it in onSend, through the save gate.
import type { FastifyInstance, FastifyPluginCallback, FastifyReply, FastifyRequest } from 'fastify';
import fastifyPlugin from 'fastify-plugin';
import { optionError } from '../errors.js';
import type { SessionManager } from '../manager.js';
import type { Session, SessionData } from '../session.js';
import { isPromiseLike } from '../store.js';
import type { HeaderAccess } from './header-values.js';
import { checkManager, resolveAdapterOptions, tokenFromHeader, type ResolvedAdapterOptions } from './options.js';
import { isServerError } from './policy.js';
import { SaveGate, type GateOutput } from './save-gate.js';

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
   * answer; if it sends nothing (or its promise settles without a reply), or throws, the plugin
   * answers 500. Errors of the route handler go to Fastify's error handler instead.
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
type Manager = SessionManager<FastifySessionData>;
type OnSendDone = (error: Error | null, payload?: unknown) => void;

const kOutput = Symbol('sessionkit.output');
interface WithOutput {
  [kOutput]: FastifyOutput | null;
}
const outputOf = (request: FastifyRequest): FastifyOutput | null => (request as unknown as WithOutput)[kOutput];

const replyHeaders: HeaderAccess<FastifyReply> = {
  get: (reply, name) => reply.getHeader(name),
  set: (reply, name, value) => void reply.header(name, value),
  append: (reply, name, value) => void reply.header(name, value), // a second Set-Cookie is added as its own line
};

/**
 * How sessionkit/fastify writes: the payload `onSend` got waits here while the gate saves the
 * session, then goes on with the session's headers; a failure drops it and onError replies.
 */
class FastifyOutput implements GateOutput<FastifyRequest> {
  readonly adapter = 'fastify';
  readonly gate: SaveGate<FastifySessionData, FastifyRequest>;
  /** True once the handler failed (Fastify's error handler replies): that reply commits nothing. */
  handlerFailed = false;
  readonly #request: FastifyRequest;
  readonly #reply: FastifyReply;
  readonly #onError: ErrorHandler | undefined;
  #payload: unknown = undefined;
  #done: OnSendDone | undefined = undefined;
  /** True once a reply reached onSend (since the last failure). */
  #replying = false;

  constructor(manager: Manager, options: ResolvedAdapterOptions<ErrorHandler>, request: FastifyRequest, reply: FastifyReply) {
    this.#request = request;
    this.#reply = reply;
    this.#onError = options.onError;
    this.gate = new SaveGate(manager, options, this);
  }

  /** Fastify's onSend: the reply is about to go out, once the session is saved. */
  send(payload: unknown, done: OnSendDone): void {
    const gate = this.gate;
    if (gate.started) {
      done(null, payload); // a second reply (an error in a later onSend hook): the session went with the first
      return;
    }
    this.#replying = true;
    this.#payload = payload;
    this.#done = done;
    gate.respond(this.handlerFailed || isServerError(this.#reply.statusCode));
  }

  release(gate: SaveGate<FastifySessionData, FastifyRequest>): void {
    gate.writeHeaders(this.#reply, replyHeaders);
    const done = this.#done;
    const payload = this.#payload;
    this.#done = this.#payload = undefined;
    done?.(null, payload);
  }

  /** Never called: the gate does not see a reply once it went to Fastify. */
  releaseEnd(): void {}

  discard(): void {
    const payload = this.#payload;
    this.#done = this.#payload = undefined;
    this.#replying = false;
    release(payload);
    // As Fastify does before its own error handler: the dropped body's type and length no longer apply.
    this.#reply.removeHeader('content-type');
    this.#reply.removeHeader('content-length');
  }

  cutOff(): void {
    this.#reply.raw.destroy();
  }

  answered(): boolean {
    return this.#replying || this.#reply.sent;
  }

  onError(error: unknown): unknown {
    return this.#onError?.(error, this.#request, this.#reply);
  }

  answer500(): void {
    this.#reply.code(500).type('text/plain; charset=utf-8').send('Internal Server Error');
  }
}

/** Releases a stream payload that will never be sent. */
function release(payload: unknown): void {
  if (payload === null || typeof payload !== 'object') return;
  const stream = payload as { destroy?: () => void; cancel?: () => Promise<void> };
  if (typeof stream.destroy === 'function') stream.destroy();
  else if (typeof stream.cancel === 'function') stream.cancel().catch(() => {});
}

function sessionsPlugin(fastify: FastifyInstance, options: FastifySessionsOptions, done: (error?: Error) => void): void {
  let manager: Manager;
  let resolved: ResolvedAdapterOptions<ErrorHandler>;
  try {
    if (options === null || typeof options !== 'object') throw optionError('options', 'must be an object with a manager', options);
    checkManager(options.manager);
    manager = options.manager;
    resolved = resolveAdapterOptions(options);
  } catch (error) {
    done(error as Error);
    return;
  }

  fastify.decorateRequest('session', null as unknown as Session<FastifySessionData>);
  fastify.decorateRequest(kOutput, null);

  fastify.addHook('onRequest', function loadSession(request, reply, next) {
    const output = new FastifyOutput(manager, resolved, request, reply);
    (request as unknown as WithOutput)[kOutput] = output;
    const token = tokenFromHeader(manager, resolved.tokenHeader, request.headers[resolved.requestHeader]);
    const loaded = output.gate.load(token, request);
    if (loaded === undefined) return; // loading failed: onError answers
    if (!isPromiseLike(loaded)) {
      request.session = loaded;
      next();
      return;
    }
    loaded.then((session) => {
      if (session === undefined) return;
      request.session = session;
      next();
    });
  });

  // Fastify calls onError hooks for a handler that throws, rejects or sends an Error.
  fastify.addHook('onError', function skipCommit(request, _reply, _error, next) {
    const output = outputOf(request);
    if (output !== null) output.handlerFailed = true;
    next();
  });

  fastify.addHook('onSend', function saveSession(request, _reply, payload, next) {
    const output = outputOf(request);
    if (output === null) next(null, payload);
    else output.send(payload, next);
  });
  done();
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
