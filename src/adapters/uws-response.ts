// The deferred uWS response a session handler writes to: it holds status, headers and body until the session is saved.
import type { HttpRequest, HttpResponse, RecognizedString } from 'uWebSockets.js';
import { SaveAction, type SessionManager } from '../manager.js';
import type { Session } from '../session.js';
import { isPromiseLike } from '../store.js';
import { saveSnapshot, type ResolvedAdapterOptions } from './options.js';

/** The `res` a session handler receives: a uWS HttpResponse plus two read-only flags. */
export interface SessionHttpResponse extends HttpResponse {
  /** True once the client went away; every write is then ignored. */
  readonly aborted: boolean;
  /** True once the response has started (the handler ended it or started streaming). */
  readonly headersSent: boolean;
}

/** A handler wrapped by `withSession`. */
export type UwsSessionHandler<Data extends object> = (
  res: SessionHttpResponse,
  req: HttpRequest,
  session: Session<Data>,
) => void | Promise<void>;

/** Everything a response needs from its adapter, shared by all requests of one wrapped handler. @internal */
export interface UwsContext<Data extends object> {
  manager: SessionManager<Data>;
  options: ResolvedAdapterOptions<HttpRequest | undefined, SessionHttpResponse>;
  handler: UwsSessionHandler<Data>;
}

// Phases of a response.
const OPEN = 0; // the handler has not ended or written anything yet
const SAVING = 1; // the session is being saved; writes are buffered
const SENT = 2; // status and headers are out; writes pass through (streaming)
const DONE = 3; // ended, aborted or closed: the raw response is no longer used
const FAILED = 4; // load or save failed: writes go straight to the raw response (onError's 500)

// How the handler ended the response.
const NO_END = 0;
const END = 1;
const END_WITHOUT_BODY = 2;
const TRY_END = 3;

/**
 * Defers `writeStatus`/`writeHeader`/`write`/`end` until the session is saved, then writes
 * status, session headers, the handler's headers and body in one cork. One instance per request,
 * with a fixed shape; closures are made only when the request goes asynchronous.
 * @internal
 */
export class SessionResponse<Data extends object> implements SessionHttpResponse {
  [key: string]: unknown;
  readonly raw: HttpResponse;
  readonly ctx: UwsContext<Data>;
  session: Session<Data> | undefined = undefined;
  aborted = false;
  phase = OPEN;
  /** True while running inside the uWS route callback (or a cork): writes need no cork of their own. */
  corked = true;
  /** True once `onAborted` is registered on the raw response. */
  watching = false;
  /** True while the handler's promise is pending. */
  pending = false;
  /** True once something was written in the FAILED phase. */
  started = false;
  status: RecognizedString | undefined = undefined;
  headers: RecognizedString[] | undefined = undefined;
  chunks: RecognizedString[] | undefined = undefined;
  endKind = NO_END;
  endBody: RecognizedString | undefined = undefined;
  endArg: number | undefined = undefined;
  closeConnection: boolean | undefined = undefined;
  abortHandler: (() => void) | undefined = undefined;
  writableHandler: ((offset: number) => boolean) | undefined = undefined;
  dataHandler: ((chunk: ArrayBuffer, isLast: boolean) => void) | undefined = undefined;
  /** Request-body chunks that arrived before the handler registered onData (asynchronous load only). */
  early: [ArrayBuffer, boolean][] | undefined = undefined;

  constructor(raw: HttpResponse, ctx: UwsContext<Data>) {
    this.raw = raw;
    this.ctx = ctx;
  }

  get headersSent(): boolean {
    return this.phase === FAILED ? this.started : this.phase !== OPEN;
  }

  // ---- lifecycle, driven by uws.ts ----

  /** Runs the handler with the loaded session. */
  run(session: Session<Data>, req: HttpRequest): void {
    if (this.aborted) return; // the client left while the session loaded: nothing changed, nothing to save
    this.session = session;
    let result: void | Promise<void>;
    try {
      result = this.ctx.handler(this, req, session);
    } catch (error) {
      this.fail(error, req, false);
      return;
    }
    if (result !== undefined && isPromiseLike(result)) {
      this.pending = true;
      this.watch();
      result.then(
        () => this.settled(),
        (error: unknown) => {
          this.pending = false;
          this.fail(error, undefined, false);
        },
      );
    } else if (this.phase !== DONE) {
      this.watch(); // the handler will respond later (a callback): uWS needs onAborted now
    }
  }

  /** Registers onAborted on the raw response (needed before returning without a response). */
  watch(): void {
    if (this.watching || this.phase === DONE) return;
    this.watching = true;
    this.raw.onAborted(() => this.abort());
  }

  /** Buffers request-body chunks until the handler asks for them (the session loaded asynchronously). */
  bufferBody(): void {
    this.raw.onData((chunk, isLast) => {
      if (this.dataHandler !== undefined) return this.dataHandler(chunk, isLast);
      (this.early ??= []).push([chunk.slice(0), isLast]);
    });
  }

  /** The load, save or handler failed: hands the response to onError. */
  fail(error: unknown, req: HttpRequest | undefined, fromStore: boolean): void {
    if (fromStore || this.phase === OPEN) {
      this.phase = this.aborted ? DONE : FAILED;
      this.headers = this.chunks = this.endBody = undefined;
      this.endKind = NO_END;
      this.watch();
    }
    const streaming = this.phase === SENT;
    this.report(error, req);
    if (streaming && this.phase === SENT) this.close(); // a stream cut short must not look complete
  }

  report(error: unknown, req: HttpRequest | undefined): void {
    try {
      this.ctx.options.onError(error, req, this);
    } catch (secondary) {
      console.error('sessionkit: uws: onError threw', secondary);
    }
  }

  settled(): void {
    this.pending = false;
    if (this.aborted) this.saveDetached();
  }

  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    const wasSaving = this.phase === SAVING;
    this.phase = DONE;
    const handler = this.abortHandler;
    if (handler !== undefined) {
      try {
        handler();
      } catch (error) {
        this.report(error, undefined);
      }
    }
    // A modified session is kept even though nobody will read the answer.
    if (!this.pending && !wasSaving) this.saveDetached();
  }

  /** Commits a modified session without a response to write (the client is gone). */
  saveDetached(): void {
    const session = this.session;
    if (session === undefined || session.status !== 'modified') return;
    try {
      const saved = saveSnapshot(this.ctx.manager, session);
      if (isPromiseLike(saved)) saved.then(undefined, (error: unknown) => this.report(error, undefined));
    } catch (error) {
      this.report(error, undefined);
    }
  }

  /** Saves the session, then writes out what the handler produced. */
  save(): void {
    this.phase = SAVING;
    const session = this.session!;
    let action: SaveAction | Promise<SaveAction>;
    try {
      action = saveSnapshot(this.ctx.manager, session);
    } catch (error) {
      this.fail(error, undefined, true);
      return;
    }
    if (isPromiseLike(action)) {
      this.watch();
      action.then(
        (done) => this.saved(done),
        (error: unknown) => this.fail(error, undefined, true),
      );
    } else {
      this.saved(action);
    }
  }

  saved(action: SaveAction): void {
    if (this.aborted) return;
    if (this.corked) this.flush(action);
    else this.raw.cork(() => this.flush(action));
  }

  /** Status, session headers, the handler's headers, buffered body and end: called corked. */
  flush(action: SaveAction): void {
    const raw = this.raw;
    const options = this.ctx.options;
    if (this.status !== undefined) raw.writeStatus(this.status);
    raw.writeHeader('Vary', options.vary);
    if (action !== SaveAction.None) {
      const session = this.session!;
      if (options.tokenHeader === undefined) raw.writeHeader('Set-Cookie', this.ctx.manager.setCookieHeader(session, action));
      else raw.writeHeader(options.tokenHeader, action === SaveAction.ClearCookie ? '' : session.token);
      raw.writeHeader('Cache-Control', options.cacheControl);
    }
    const headers = this.headers;
    if (headers !== undefined) for (let i = 0; i < headers.length; i += 2) raw.writeHeader(headers[i]!, headers[i + 1]!);
    this.phase = SENT;
    const chunks = this.chunks;
    if (chunks !== undefined) {
      this.chunks = undefined;
      for (const chunk of chunks) raw.write(chunk);
    }
    const kind = this.endKind;
    if (kind === NO_END) return;
    if (kind === TRY_END) {
      // The handler was told [false, false]: it retries from getWriteOffset() in its onWritable.
      const writable = this.writableHandler;
      if (writable !== undefined) writable(raw.getWriteOffset());
      return;
    }
    this.phase = DONE;
    endRaw(raw, kind, this.endBody, this.endArg, this.closeConnection);
  }

  /** Ends a streamed response, saving first any change made to the session since the headers went out. */
  endStream(kind: number, body: RecognizedString | undefined, arg: number | undefined, closeConnection: boolean | undefined): void {
    const session = this.session!;
    if (session.status !== 'modified') {
      this.finishStream(kind, body, arg, closeConnection);
      return;
    }
    this.phase = SAVING;
    let saved: SaveAction | Promise<SaveAction>;
    try {
      saved = saveSnapshot(this.ctx.manager, session);
    } catch (error) {
      this.streamFailed(error);
      return;
    }
    if (!isPromiseLike(saved)) {
      this.finishStream(kind, body, arg, closeConnection);
      return;
    }
    this.watch();
    saved.then(
      () => {
        if (this.aborted) return;
        this.corked = false;
        this.finishStream(kind, body, arg, closeConnection);
      },
      (error: unknown) => this.streamFailed(error),
    );
  }

  finishStream(kind: number, body: RecognizedString | undefined, arg: number | undefined, closeConnection: boolean | undefined): void {
    this.phase = DONE;
    const raw = this.raw;
    if (this.corked) endRaw(raw, kind, body, arg, closeConnection);
    else raw.cork(() => endRaw(raw, kind, body, arg, closeConnection));
  }

  streamFailed(error: unknown): void {
    this.phase = SENT;
    this.report(error, undefined);
    this.close(); // the headers promised a session the store does not hold: cut the response off
  }

  /** Runs `fn` corked: directly when already corked, else inside raw.cork. */
  private direct(fn: (raw: HttpResponse) => void): void {
    if (this.corked) fn(this.raw);
    else this.raw.cork(() => fn(this.raw));
  }

  // ---- the HttpResponse the handler sees ----

  writeStatus(status: RecognizedString): this {
    if (this.phase === OPEN) this.status = status;
    else if (this.phase === FAILED) {
      this.started = true;
      this.direct((raw) => raw.writeStatus(status));
    }
    return this;
  }

  writeHeader(key: RecognizedString, value: RecognizedString): this {
    if (this.phase === OPEN) (this.headers ??= []).push(key, value);
    else if (this.phase === FAILED) {
      this.started = true;
      this.direct((raw) => raw.writeHeader(key, value));
    }
    return this;
  }

  write(chunk: RecognizedString): boolean {
    switch (this.phase) {
      case OPEN:
        (this.chunks ??= []).push(chunk);
        this.save();
        return true;
      case SAVING:
        (this.chunks ??= []).push(chunk);
        return true;
      case SENT: {
        if (this.corked) return this.raw.write(chunk);
        let ok = true;
        this.raw.cork(() => {
          ok = this.raw.write(chunk);
        });
        return ok;
      }
      case FAILED:
        this.started = true;
        this.direct((raw) => raw.write(chunk));
        return true;
      default:
        return true;
    }
  }

  end(body?: RecognizedString, closeConnection?: boolean): this {
    return this.ending(END, body, undefined, closeConnection);
  }

  endWithoutBody(reportedContentLength?: number, closeConnection?: boolean): this {
    return this.ending(END_WITHOUT_BODY, undefined, reportedContentLength, closeConnection);
  }

  private ending(kind: number, body: RecognizedString | undefined, arg: number | undefined, closeConnection: boolean | undefined): this {
    switch (this.phase) {
      case OPEN:
        this.endKind = kind;
        this.endBody = body;
        this.endArg = arg;
        this.closeConnection = closeConnection;
        this.save();
        break;
      case SAVING:
        if (this.endKind === NO_END) {
          this.endKind = kind;
          this.endBody = body;
          this.endArg = arg;
          this.closeConnection = closeConnection;
        }
        break;
      case SENT:
        this.endStream(kind, body, arg, closeConnection);
        break;
      case FAILED:
        this.phase = DONE;
        this.started = true;
        this.direct((raw) => endRaw(raw, kind, body, arg, closeConnection));
        break;
    }
    return this;
  }

  tryEnd(fullBodyOrChunk: RecognizedString, totalSize: number): [boolean, boolean] {
    switch (this.phase) {
      case OPEN:
        this.save();
        if ((this.phase as number) === SENT) return this.tryEnd(fullBodyOrChunk, totalSize);
        if ((this.phase as number) === SAVING) this.endKind = TRY_END; // flush calls onWritable once headers are out
        return [false, false];
      case SENT:
      case FAILED: {
        this.started = true;
        let result: [boolean, boolean] = [false, false];
        this.direct((raw) => {
          result = raw.tryEnd(fullBodyOrChunk, totalSize);
        });
        if (result[1]) this.phase = DONE;
        return result;
      }
      default:
        return [false, this.phase === DONE];
    }
  }

  close(): this {
    if (!this.aborted && this.phase !== DONE) this.raw.close();
    return this;
  }

  cork(cb: () => void): this {
    if (this.corked || this.aborted || this.phase === DONE) {
      cb();
      return this;
    }
    this.raw.cork(() => {
      this.corked = true;
      try {
        cb();
      } finally {
        this.corked = false;
      }
    });
    return this;
  }

  onAborted(handler: () => void): this {
    this.abortHandler = handler;
    this.watch();
    return this;
  }

  onWritable(handler: (offset: number) => boolean): this {
    this.writableHandler = handler;
    if (!this.aborted && this.phase !== DONE) this.raw.onWritable(handler);
    return this;
  }

  onData(handler: (chunk: ArrayBuffer, isLast: boolean) => void): this {
    this.dataHandler = handler;
    const early = this.early;
    if (early !== undefined) {
      this.early = undefined;
      for (const [chunk, isLast] of early) handler(chunk, isLast);
    } else if (!this.aborted && this.phase !== DONE) {
      this.raw.onData(handler);
    }
    return this;
  }

  getWriteOffset(): number {
    return this.aborted || this.phase === DONE ? 0 : this.raw.getWriteOffset();
  }

  getRemoteAddress(): ArrayBuffer {
    return this.aborted ? new ArrayBuffer(0) : this.raw.getRemoteAddress();
  }

  getRemoteAddressAsText(): ArrayBuffer {
    return this.aborted ? new ArrayBuffer(0) : this.raw.getRemoteAddressAsText();
  }

  getProxiedRemoteAddress(): ArrayBuffer {
    return this.aborted ? new ArrayBuffer(0) : this.raw.getProxiedRemoteAddress();
  }

  getProxiedRemoteAddressAsText(): ArrayBuffer {
    return this.aborted ? new ArrayBuffer(0) : this.raw.getProxiedRemoteAddressAsText();
  }

  pause(): void {
    if (!this.aborted && this.phase !== DONE) this.raw.pause();
  }

  resume(): void {
    if (!this.aborted && this.phase !== DONE) this.raw.resume();
  }

  upgrade<UserData>(): void {
    throw new TypeError('sessionkit: uws: a session handler cannot upgrade; use withSession.upgrade() on the ws route');
  }
}

/** Ends the raw response, passing only the arguments the handler gave (uWS reads `undefined` as a value). */
function endRaw(raw: HttpResponse, kind: number, body: RecognizedString | undefined, arg: number | undefined, closeConnection: boolean | undefined): void {
  if (kind === END) {
    if (closeConnection !== undefined) raw.end(body, closeConnection);
    else if (body !== undefined) raw.end(body);
    else raw.end();
  } else if (closeConnection !== undefined) raw.endWithoutBody(arg, closeConnection);
  else if (arg !== undefined) raw.endWithoutBody(arg);
  else raw.endWithoutBody();
}
