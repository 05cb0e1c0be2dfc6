// sessionkit/hono: Hono middleware that loads the session before `next()` and saves it through the save gate before the response is returned.
import type { Context, MiddlewareHandler, Next } from 'hono';
import type { SessionManager } from '../manager.js';
import type { Session } from '../session.js';
import { isPromiseLike } from '../store.js';
import type { HeaderAccess } from './header-values.js';
import { writeLightweightHeaders } from './hono-node-response.js';
import { checkManager, resolveAdapterOptions, tokenFromHeader, type ResolvedAdapterOptions } from './options.js';
import { isServerError } from './policy.js';
import { SaveGate, type GateOutput } from './save-gate.js';

/** The variables `honoSessions` sets: `c.get('session')`. Put them in `new Hono<{ Variables: SessionVariables<Data> }>()`. */
export interface SessionVariables<Data extends object> {
  /** The request's session: `c.get('session')`. */
  session: Session<Data>;
}

/** A Hono `Env` with the session variable: `new Hono<SessionEnv<Data>>()`. */
export interface SessionEnv<Data extends object> {
  /** The variables `honoSessions` sets. */
  Variables: SessionVariables<Data>;
}

/** Options of `honoSessions`. */
export interface HonoSessionOptions {
  /**
   * Called when loading or saving the session fails (a store error); returns (or resolves to) the
   * Response to send, as Hono's `app.onError`. `Vary` is added to it. If it throws or returns no
   * Response, the answer is a 500. Default: log the error (never the token) and answer 500.
   */
  onError?: (error: unknown, c: Context) => Response | Promise<Response>;
  /**
   * Read the token from this request header instead of the cookie, and send a new or renewed
   * token back in the same response header (no cookie). For API clients. Default: off.
   */
  tokenHeader?: string;
}

type Options = ResolvedAdapterOptions<NonNullable<HonoSessionOptions['onError']>>;

const webHeaders: HeaderAccess<Headers> = {
  get: (headers, name) => headers.get(name),
  set: (headers, name, value) => headers.set(name, value),
  append: (headers, name, value) => headers.append(name, value),
};

/**
 * How sessionkit/hono answers: the session's headers go on `c.res` once the gate released it; a
 * failure's answer is onError's Response (or a 500). `run` resolves with one or the other.
 */
class HonoOutput<Data extends object> implements GateOutput<Context> {
  readonly adapter = 'hono';
  readonly gate: SaveGate<Data, Context>;
  readonly #c: Context;
  readonly #options: Options;
  /** True once the response may go: `c.res` (released) or `#answer` (a failure's answer). */
  #settled = false;
  #answer: Response | undefined = undefined;
  /** Called once settled, when the middleware had to wait (an asynchronous save or onError). */
  #wake: (() => void) | undefined = undefined;
  /** True once the rest of the chain ran: `c.res` is its response. */
  #chainDone = false;

  constructor(manager: SessionManager<Data>, options: Options, c: Context) {
    this.#c = c;
    this.#options = options;
    this.gate = new SaveGate(manager, options, this);
  }

  /**
   * Runs the rest of the chain with `session` (undefined: loading failed), saves, and resolves with
   * the response to send, if not `c.res`. Not an async function: on the common path (a store that
   * answers at once) the middleware then costs one `then`, not an async function's promises.
   */
  run(session: Session<Data> | undefined, next: Next): Promise<Response | undefined> {
    if (session === undefined) return this.#settledAnswer();
    this.#c.set('session', session as never);
    return next().then(() => this.#ran());
  }

  /** The rest of the chain ran: `c.res` is its response. */
  #ran(): Response | undefined | Promise<Response | undefined> {
    const c = this.#c;
    this.#chainDone = true;
    this.gate.respond(c.error !== undefined || isServerError(c.res.status));
    return this.#settled ? this.#sendAnswer() : this.#settledAnswer();
  }

  /** Waits until the response may go, then resolves as `run` does. */
  async #settledAnswer(): Promise<Response | undefined> {
    if (!this.#settled) await new Promise<void>((resolve) => (this.#wake = resolve));
    return this.#sendAnswer();
  }

  /** A failure's answer, with the session's headers, as the context's response; undefined when `c.res` goes. */
  #sendAnswer(): Response | undefined {
    const answer = this.#answer;
    if (answer === undefined) return undefined;
    const c = this.#c;
    replaceResponse(c, withSessionHeaders(this.gate, c, answer));
    return c.res;
  }

  release(gate: SaveGate<Data, Context>): void {
    const c = this.#c;
    const res = withSessionHeaders(gate, c, c.res);
    if (res !== c.res) replaceResponse(c, res);
    this.#settle();
  }

  /** Never called: the gate sees the response only once it is complete. */
  releaseEnd(): void {}

  /** The chain's response will not be sent: its body is released, and onError starts from a fresh response. */
  discard(): void {
    if (!this.#chainDone) return;
    this.#c.res.body?.cancel().catch(() => {});
    replaceResponse(this.#c, undefined);
  }

  /** Never called: nothing is sent before the save. */
  cutOff(): void {}

  answered(): boolean {
    return this.#answer !== undefined;
  }

  onError(error: unknown): unknown {
    const result = this.#options.onError?.(error, this.#c);
    if (isPromiseLike(result)) return result.then((answer) => this.#answered(answer));
    this.#answered(result);
    return result;
  }

  answer500(): void {
    this.#answered(new Response('Internal Server Error', { status: 500, headers: { 'content-type': 'text/plain; charset=utf-8' } }));
  }

  #answered(answer: unknown): void {
    if (!isResponse(answer) || this.#answer !== undefined) return;
    this.#answer = answer;
    this.#settle();
  }

  #settle(): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#wake?.();
  }
}

function isResponse(value: unknown): value is Response {
  return value !== null && typeof value === 'object' && typeof (value as Response).status === 'number' && typeof (value as Response).headers === 'object';
}

/**
 * Writes the gate's headers on `response`: into node-server's header record when `c` came from
 * @hono/node-server and the response is still a lightweight one; else on its `Headers`, or on a
 * copy of it when those are immutable (a fetched response). Returns the response to send.
 */
function withSessionHeaders<Data extends object>(gate: SaveGate<Data, Context>, c: Context, response: Response): Response {
  if (fromNodeServer(c) && writeLightweightHeaders(response, gate)) return response;
  try {
    gate.writeHeaders(response.headers, webHeaders);
    return response;
  } catch {
    const copy = new Response(response.body, response);
    gate.writeHeaders(copy.headers, webHeaders);
    return copy;
  }
}

/** True when @hono/node-server serves `c` (it passes node's request and response as `c.env`). */
function fromNodeServer(c: Context): boolean {
  const env = c.env as { outgoing?: unknown } | undefined;
  return env !== undefined && env !== null && env.outgoing !== undefined;
}

/** Makes `response` the context's response outright: Hono's setter would copy the old one's headers into it. */
function replaceResponse(c: Context, response: Response | undefined): void {
  c.res = undefined as unknown as Response;
  if (response !== undefined) c.res = response;
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
  checkManager(manager);
  const resolved = resolveAdapterOptions(options);
  return function sessionMiddleware(c, next) {
    const output = new HonoOutput(manager, resolved, c);
    const loaded = output.gate.load(tokenFromHeader(manager, resolved.tokenHeader, c.req.header(resolved.requestHeader)), c);
    if (isPromiseLike(loaded)) return loaded.then((session) => output.run(session, next));
    return output.run(loaded, next);
  };
}
