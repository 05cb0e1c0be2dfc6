// The request lifecycle every adapter shares: load, handler, save before the first byte, stream, end; abort and fail.
import { SaveAction, type SessionManager } from '../manager.js';
import type { Session } from '../session.js';
import { isPromiseLike } from '../store.js';
import type { HeaderAccess } from './header-values.js';
import { saveSnapshot } from './options.js';
import { callErrorHandler, errorBudget, writeSessionHeaders, type GateOptions } from './policy.js';

/**
 * Where a request is:
 * - `loading`: the session is being loaded.
 * - `open`: the handler runs; nothing has been sent, the adapter queues status and headers.
 * - `saving`: the handler produced its first byte or its end; the session is being saved and the
 *   adapter queues everything.
 * - `sent`: status and session headers are out; output passes straight through (streaming).
 * - `resaving`: a streamed response is ending; changes made since the headers are being saved and
 *   the adapter holds the end.
 * - `failed`: loading, saving or the handler failed before anything was sent. Nothing is
 *   committed; `onError` answers (a 500 when it does not).
 * - `done`: the response ended, was cut off, or belongs to a WebSocket: no more writes.
 * - `aborted`: the client went away.
 */
export type GateState = 'loading' | 'open' | 'saving' | 'sent' | 'resaving' | 'failed' | 'done' | 'aborted';

/** What an adapter supplies to the gate: how it writes what it queued, and how it answers. @internal */
export interface GateOutput<Req> {
  /** The adapter's name in log lines: `uws`, `node`, `fastify`, `hono`. */
  readonly adapter: string;
  /**
   * The session may go out: write the status, `gate.writeHeaders`, the handler's headers and the
   * queued output. A queued end goes out only if `gate.finish()` says so (else `releaseEnd` follows).
   */
  release(gate: SaveGate<any, Req>): void;
  /** The changes made while streaming are saved: write the held end. */
  releaseEnd(gate: SaveGate<any, Req>): void;
  /** Drop everything queued: it will not be sent (onError answers instead). */
  discard(): void;
  /** Close the connection: a started response must not look complete. */
  cutOff(): void;
  /** True once the handler (or onError) ended the response or the connection is gone. */
  answered(): boolean;
  /** Call the user's `onError` (there is one) with this request and response; may return a promise. */
  onError(error: unknown, req: Req | undefined): unknown;
  /** Answer 500 (the gate adds `Vary`): onError left the response unanswered. */
  answer500(): void;
}

/**
 * One request's save gate. The adapter creates it, calls `load`, runs the handler and reports
 * what the handler returned (`handlerReturned`), then calls `respond` at the handler's first byte
 * or end and `finish` when a streamed response ends; `fail`, `abort` and `detach` when those
 * happen. The gate saves the session through the manager and calls back into its `GateOutput`.
 * @internal
 */
export class SaveGate<Data extends object, Req = unknown> {
  #state: GateState = 'loading';
  #session: Session<Data> | undefined = undefined;
  #action: SaveAction = SaveAction.None;
  /** True while the handler's promise is pending: an abort waits for it before saving. */
  #pending = false;
  readonly #manager: SessionManager<Data>;
  readonly #options: GateOptions;
  readonly #output: GateOutput<Req>;

  constructor(manager: SessionManager<Data>, options: GateOptions, output: GateOutput<Req>) {
    this.#manager = manager;
    this.#options = options;
    this.#output = output;
  }

  get state(): GateState {
    return this.#state;
  }

  /** True once the handler's first byte reached the gate: status and headers can no longer change. */
  get started(): boolean {
    const state = this.#state;
    return state !== 'loading' && state !== 'open' && state !== 'failed';
  }

  /**
   * Loads the session for `token`. Returns it when the store answered synchronously; a promise
   * of it (or of undefined once the client left or loading failed) when not; undefined when
   * loading failed synchronously. A failure goes to `onError` (`req` is passed to it).
   */
  load(token: string | undefined, req: Req | undefined): Session<Data> | Promise<Session<Data> | undefined> | undefined {
    let loaded: Session<Data> | Promise<Session<Data>>;
    try {
      loaded = this.#manager.loadNow(token);
    } catch (error) {
      this.fail(error, req);
      return undefined;
    }
    if (!isPromiseLike(loaded)) return this.#loaded(loaded);
    return loaded.then(
      (session) => this.#loaded(session),
      (error: unknown) => {
        this.fail(error, undefined);
        return undefined;
      },
    );
  }

  /** Loads the session for `token`, then calls `run` with it, at once or once loaded; never after a failure. */
  start(token: string | undefined, req: Req, run: (session: Session<Data>) => void): void {
    const loaded = this.load(token, req);
    if (loaded === undefined) return;
    if (!isPromiseLike(loaded)) {
      run(loaded);
      return;
    }
    loaded.then((session) => {
      if (session !== undefined) run(session);
    });
  }

  /** The handler returned `result`: when it is a promise, a rejection fails the request. */
  handlerReturned(result: unknown): void {
    if (!isPromiseLike(result)) return;
    this.#pending = true;
    result.then(
      () => {
        this.#pending = false;
        if (this.#state === 'aborted') this.#saveDetached(); // it may have changed the session after the client left
      },
      (error: unknown) => {
        this.#pending = false;
        this.fail(error, undefined);
      },
    );
  }

  /**
   * The handler's first byte or end (`serverError`: its status is 5xx). Saves the session, then
   * calls `output.release`; a failed request or a 5xx response commits nothing and is released at
   * once with only `Vary`.
   */
  respond(serverError: boolean): void {
    const state = this.#state;
    if (state === 'open' && !serverError) {
      this.#state = 'saving';
      this.#save(this.#saved, this.#firstSaveFailed);
    } else if (state === 'open' || state === 'loading' || state === 'failed') {
      this.#dropSession();
      this.#state = 'sent';
      this.#output.release(this);
    }
  }

  /**
   * The handler ends a response whose headers are out. True when the end may go out now; false
   * when it must be held: changes made since the headers are being saved, and the gate then
   * calls `output.releaseEnd` (or cuts the response off if that save fails).
   */
  finish(): boolean {
    if (this.#state !== 'sent') return this.#state !== 'resaving';
    const session = this.#session;
    if (session === undefined || session.status !== 'modified') {
      this.#state = 'done';
      return true;
    }
    this.#state = 'resaving';
    return this.#save(this.#resaved, this.#streamFailed);
  }

  /**
   * The handler or the adapter failed. Before anything was sent, nothing is committed and
   * `onError` answers (a 500 when it does not); after, `onError` is told and a response it leaves
   * unfinished is cut off.
   */
  fail(error: unknown, req?: Req): void {
    const state = this.#state;
    if (state === 'loading' || state === 'open' || state === 'saving') {
      this.#output.discard();
      this.#dropSession();
      this.#state = 'failed';
    }
    this.#report(error, req);
  }

  /** The client went away. A session changed by the handler is still saved (once the handler settles). */
  abort(): void {
    const state = this.#state;
    if (state === 'done' || state === 'aborted') return;
    this.#state = 'aborted';
    if (!this.#pending && state !== 'saving' && state !== 'resaving') this.#saveDetached();
  }

  /** The response now belongs to someone else (a WebSocket upgrade): the gate is done with it. */
  detach(): void {
    this.#state = 'done';
  }

  /** Writes the session's headers for the last save (only `Vary` when nothing was committed). */
  writeHeaders<T>(target: T, headers: HeaderAccess<T>): void {
    writeSessionHeaders(this.#manager, this.#options, this.#session, this.#action, target, headers);
  }

  #loaded(session: Session<Data>): Session<Data> | undefined {
    if (this.#state !== 'loading') return undefined; // the client left while the session loaded
    this.#session = session;
    this.#state = 'open';
    return session;
  }

  /** Saves the session; true when the save finished synchronously (and `done` already ran). */
  #save(done: (this: SaveGate<Data, Req>, action: SaveAction) => void, failed: (this: SaveGate<Data, Req>, error: unknown) => void): boolean {
    let action: SaveAction | Promise<SaveAction>;
    try {
      action = saveSnapshot(this.#manager, this.#session!);
    } catch (error) {
      failed.call(this, error);
      return false;
    }
    if (!isPromiseLike(action)) {
      done.call(this, action);
      return true;
    }
    action.then(
      (saved) => done.call(this, saved),
      (error: unknown) => failed.call(this, error),
    );
    return false;
  }

  #saved(action: SaveAction): void {
    if (this.#state !== 'saving') return; // aborted, or the handler failed meanwhile
    this.#action = action;
    this.#state = 'sent';
    this.#output.release(this);
  }

  #firstSaveFailed(error: unknown): void {
    if (this.#state === 'saving') this.fail(error, undefined);
    else this.#report(error, undefined);
  }

  #resaved(): void {
    if (this.#state !== 'resaving') return;
    this.#state = 'done';
    this.#output.releaseEnd(this);
  }

  /** A save after the headers failed: they promised a session the store does not hold. */
  #streamFailed(error: unknown): void {
    if (this.#state === 'resaving') this.#cutOff();
    this.#report(error, undefined);
  }

  #saveDetached(): void {
    const session = this.#session;
    if (session === undefined || session.status !== 'modified') return;
    try {
      const saved = saveSnapshot(this.#manager, session);
      if (isPromiseLike(saved)) saved.then(undefined, (error: unknown) => this.#report(error, undefined));
    } catch (error) {
      this.#report(error, undefined);
    }
  }

  #report(error: unknown, req: Req | undefined): void {
    const output = this.#output;
    const call = this.#options.onError === undefined ? undefined : () => output.onError(error, req);
    callErrorHandler(output.adapter, error, call, () => this.#afterError(), errorBudget(this.#manager.store));
  }

  /** After onError: a response it left unanswered gets a 500, or is cut off once it started. */
  #afterError(): void {
    const state = this.#state;
    if (state === 'done' || state === 'aborted' || this.#output.answered()) return;
    if (state === 'failed' || state === 'loading') this.#output.answer500();
    else this.#cutOff();
  }

  #cutOff(): void {
    this.#dropSession();
    this.#state = 'done';
    this.#output.cutOff();
  }

  /** This request commits nothing more. */
  #dropSession(): void {
    this.#session = undefined;
    this.#action = SaveAction.None;
  }
}
