// The uWS HttpResponse a session handler writes to: each call goes to the save gate's state, then to UwsOutput.
import type { HttpRequest, HttpResponse, RecognizedString } from 'uWebSockets.js';
import type { Session } from '../session.js';
import { isPromiseLike } from '../store.js';
import { SaveGate } from './save-gate.js';
import { CopiedRequest } from './uws-request.js';
import { EndKind, UwsOutput } from './uws-output.js';
import type { SessionHttpResponse, UwsContext } from './uws-types.js';

/**
 * One request's response. `serve` (route callback) or `serveUpgrade` (upgrade callback) starts
 * it; the handler then sees a uWS HttpResponse whose status, headers and body wait for the save.
 * @internal
 */
export class SessionResponse<Data extends object> implements SessionHttpResponse {
  [key: string]: unknown;
  readonly #raw: HttpResponse;
  readonly #ctx: UwsContext<Data>;
  readonly #output: UwsOutput;
  readonly #gate: SaveGate<Data, HttpRequest | undefined>;
  #aborted = false;
  #watching = false;
  #abortHandler: (() => void) | undefined = undefined;

  constructor(raw: HttpResponse, ctx: UwsContext<Data>) {
    this.#raw = raw;
    this.#ctx = ctx;
    this.#output = new UwsOutput(raw, this, ctx.options);
    this.#gate = new SaveGate(ctx.manager, ctx.options, this.#output);
  }

  get aborted(): boolean {
    return this.#aborted;
  }

  get headersSent(): boolean {
    return this.#aborted || this.#gate.started;
  }

  /** Loads the session and runs the handler; called inside the uWS route callback. */
  serve(req: HttpRequest, token: string | undefined): void {
    const loaded = this.#gate.load(token, req);
    if (loaded !== undefined && isPromiseLike(loaded)) {
      const copy = new CopiedRequest(req);
      this.#output.holdBody();
      loaded.then((session) => {
        if (session !== undefined) this.#run(session, copy);
      });
    } else if (loaded !== undefined) {
      this.#run(loaded, req);
    }
    this.#leaveCallback();
  }

  /** Loads the session, then calls `upgrade` with it (which must upgrade the raw response at once). */
  serveUpgrade(req: HttpRequest, token: string | undefined, upgrade: (session: Session<Data>) => void): void {
    const loaded = this.#gate.load(token, req);
    if (loaded !== undefined && isPromiseLike(loaded)) {
      loaded.then((session) => {
        if (session === undefined) return;
        this.#gate.detach();
        this.#output.cork(() => upgrade(session));
      });
    } else if (loaded !== undefined) {
      this.#gate.detach();
      upgrade(loaded);
    }
    this.#leaveCallback();
  }

  #run(session: Session<Data>, req: HttpRequest): void {
    let result: void | Promise<void>;
    try {
      result = this.#ctx.handler(this, req, session);
    } catch (error) {
      this.#gate.fail(error, req);
      return;
    }
    this.#gate.handlerReturned(result);
  }

  /** uWS requires onAborted before the route callback returns without having responded. */
  #leaveCallback(): void {
    const state = this.#gate.state;
    if (state !== 'done' && state !== 'aborted') this.#watch();
    this.#output.leaveCallback();
  }

  #watch(): void {
    if (this.#watching) return;
    this.#watching = true;
    this.#raw.onAborted(() => this.#abort());
  }

  #abort(): void {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#output.aborted();
    this.#gate.abort();
    const handler = this.#abortHandler;
    if (handler === undefined) return;
    try {
      handler();
    } catch (error) {
      this.#gate.fail(error); // aborted: reported only
    }
  }

  /** The raw response can still be written: not aborted, and not ended (or still sending a tryEnd). */
  #usable(): boolean {
    return !this.#aborted && (this.#gate.state !== 'done' || this.#output.trying);
  }

  // ---- the HttpResponse the handler sees ----

  writeStatus(status: RecognizedString): this {
    if (!this.#gate.started) this.#output.setStatus(status);
    return this;
  }

  writeHeader(key: RecognizedString, value: RecognizedString): this {
    if (!this.#gate.started) this.#output.addHeader(key, value);
    return this;
  }

  write(chunk: RecognizedString): boolean {
    if (this.#aborted) return true;
    switch (this.#gate.state) {
      case 'loading':
      case 'open':
      case 'failed':
        this.#output.queueChunk(chunk);
        this.#gate.respond(this.#output.serverError());
        return true;
      case 'saving':
        this.#output.queueChunk(chunk);
        return true;
      case 'sent':
        return this.#output.writeNow(chunk);
      default:
        return true;
    }
  }

  end(body?: RecognizedString, closeConnection?: boolean): this {
    this.#ending(EndKind.End, body, undefined, closeConnection);
    return this;
  }

  endWithoutBody(reportedContentLength?: number, closeConnection?: boolean): this {
    this.#ending(EndKind.EndWithoutBody, undefined, reportedContentLength, closeConnection);
    return this;
  }

  #ending(kind: EndKind, body: RecognizedString | undefined, arg: number | undefined, closeConnection: boolean | undefined): void {
    if (this.#aborted) return;
    switch (this.#gate.state) {
      case 'loading':
      case 'open':
      case 'failed':
        this.#output.queueEnd(kind, body, arg, closeConnection);
        this.#gate.respond(this.#output.serverError());
        break;
      case 'saving':
        this.#output.queueEnd(kind, body, arg, closeConnection);
        break;
      case 'sent':
        if (this.#gate.finish()) this.#output.endNow(kind, body, arg, closeConnection);
        else this.#output.queueEnd(kind, body, arg, closeConnection);
        break;
    }
  }

  tryEnd(fullBodyOrChunk: RecognizedString, totalSize: number): [boolean, boolean] {
    if (this.#aborted) return [false, true];
    switch (this.#gate.state) {
      case 'loading':
      case 'open':
      case 'failed':
        this.#gate.respond(this.#output.serverError());
        return this.#afterRespond(fullBodyOrChunk, totalSize);
      case 'sent':
        if (!this.#gate.finish()) {
          this.#output.queueEnd(EndKind.TryEnd, undefined, undefined, undefined);
          return [false, false];
        }
        return this.#output.tryEndNow(fullBodyOrChunk, totalSize);
      case 'done':
        return this.#output.trying ? this.#output.tryEndNow(fullBodyOrChunk, totalSize) : [false, true];
      default:
        return [false, false];
    }
  }

  #afterRespond(fullBodyOrChunk: RecognizedString, totalSize: number): [boolean, boolean] {
    const state = this.#gate.state;
    if (state === 'sent') return this.tryEnd(fullBodyOrChunk, totalSize);
    if (state === 'saving') this.#output.queueEnd(EndKind.TryEnd, undefined, undefined, undefined); // the release calls onWritable
    return [false, false]; // else the save failed at once: onError answers instead
  }

  close(): this {
    if (this.#usable()) this.#raw.close();
    return this;
  }

  cork(cb: () => void): this {
    if (this.#usable()) this.#output.cork(cb);
    else cb();
    return this;
  }

  onAborted(handler: () => void): this {
    this.#abortHandler = handler;
    this.#watch();
    return this;
  }

  onWritable(handler: (offset: number) => boolean): this {
    this.#output.setWritable(handler);
    if (this.#usable()) this.#raw.onWritable(handler);
    return this;
  }

  onData(handler: (chunk: ArrayBuffer, isLast: boolean) => void): this {
    if (this.#usable()) this.#output.onData(handler);
    return this;
  }

  getWriteOffset(): number {
    return this.#usable() ? this.#raw.getWriteOffset() : 0;
  }

  getRemoteAddress(): ArrayBuffer {
    return this.#aborted ? new ArrayBuffer(0) : this.#raw.getRemoteAddress();
  }

  getRemoteAddressAsText(): ArrayBuffer {
    return this.#aborted ? new ArrayBuffer(0) : this.#raw.getRemoteAddressAsText();
  }

  getProxiedRemoteAddress(): ArrayBuffer {
    return this.#aborted ? new ArrayBuffer(0) : this.#raw.getProxiedRemoteAddress();
  }

  getProxiedRemoteAddressAsText(): ArrayBuffer {
    return this.#aborted ? new ArrayBuffer(0) : this.#raw.getProxiedRemoteAddressAsText();
  }

  pause(): void {
    if (this.#usable()) this.#raw.pause();
  }

  resume(): void {
    if (this.#usable()) this.#raw.resume();
  }

  upgrade<_UserData>(): void {
    throw new TypeError('sessionkit: uws: a session handler cannot upgrade; use withSession.upgrade() on the ws route');
  }
}
