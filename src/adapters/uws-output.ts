// How sessionkit/uws writes: the handler's queued status, headers, body and end, and every raw write inside a cork.
import type { HttpRequest, HttpResponse, RecognizedString } from 'uWebSockets.js';
import type { HeaderAccess } from './header-values.js';
import type { GateOutput, SaveGate } from './save-gate.js';
import { BodyBuffer } from './uws-body.js';
import type { SessionHttpResponse, UwsResolvedOptions } from './uws-types.js';

/** How the handler ended the response. */
export const EndKind = { None: 0, End: 1, EndWithoutBody: 2, TryEnd: 3 } as const;
export type EndKind = (typeof EndKind)[keyof typeof EndKind];

/**
 * The uWS side of a save gate: holds what the handler writes until the gate releases it, then
 * writes status, session headers, the handler's headers, body and end in one cork. Knows whether
 * it runs inside the route callback (already corked) or later (each write needs its own cork).
 * @internal
 */
export class UwsOutput implements GateOutput<HttpRequest | undefined> {
  readonly adapter = 'uws';
  readonly #raw: HttpResponse;
  readonly #res: SessionHttpResponse;
  readonly #options: UwsResolvedOptions;
  /** True inside the uWS route callback or a cork: writes need no cork of their own. */
  #corked = true;
  #status: RecognizedString | undefined = undefined;
  #headers: RecognizedString[] | undefined = undefined;
  #chunks: RecognizedString[] | undefined = undefined;
  #endKind: EndKind = EndKind.None;
  #endBody: RecognizedString | undefined = undefined;
  #endArg: number | undefined = undefined;
  #closeConnection: boolean | undefined = undefined;
  #writable: ((offset: number) => boolean) | undefined = undefined;
  /** True while a tryEnd has started but not finished sending. */
  #trying = false;
  #body: BodyBuffer | undefined = undefined;

  constructor(raw: HttpResponse, res: SessionHttpResponse, options: UwsResolvedOptions) {
    this.#raw = raw;
    this.#res = res;
    this.#options = options;
  }

  /** The route callback returned: from now on every write is corked on its own. */
  leaveCallback(): void {
    this.#corked = false;
  }

  /** Runs `fn` corked: directly when already corked, else inside raw.cork. */
  cork(fn: () => void): void {
    if (this.#corked) {
      fn();
      return;
    }
    this.#raw.cork(() => {
      this.#corked = true;
      try {
        fn();
      } finally {
        this.#corked = false;
      }
    });
  }

  // ---- what the handler queues before its first byte ----

  setStatus(status: RecognizedString): void {
    this.#status = status;
  }

  addHeader(key: RecognizedString, value: RecognizedString): void {
    (this.#headers ??= []).push(key, value);
  }

  queueChunk(chunk: RecognizedString): void {
    (this.#chunks ??= []).push(chunk);
  }

  queueEnd(kind: EndKind, body: RecognizedString | undefined, arg: number | undefined, closeConnection: boolean | undefined): void {
    if (this.#endKind !== EndKind.None && this.#endKind !== EndKind.TryEnd) return;
    this.#endKind = kind;
    this.#endBody = body;
    this.#endArg = arg;
    this.#closeConnection = closeConnection;
  }

  /** True when the queued status is 5xx: such a response commits nothing. */
  serverError(): boolean {
    const status = this.#status;
    if (status === undefined) return false;
    const text = latin1(status);
    return text.charCodeAt(0) === 53 && text.length >= 3; // '5xx'
  }

  /** True while a started tryEnd still has bytes to send. */
  get trying(): boolean {
    return this.#trying;
  }

  // ---- the request body ----

  /** Buffers the request body until the handler asks for it (the session loads asynchronously). */
  holdBody(): void {
    this.#body = new BodyBuffer(this.#raw);
  }

  /** The handler's onData: gets the held body first when there is one. */
  onData(handler: (chunk: ArrayBuffer, isLast: boolean) => void): void {
    if (this.#body !== undefined) this.#body.deliver(handler);
    else this.#raw.onData(handler);
  }

  /** The client went away: the held body goes, and the raw response is not touched again. */
  aborted(): void {
    this.#body?.abort();
  }

  // ---- writes that go out now (the headers are out) ----

  writeNow(chunk: RecognizedString): boolean {
    if (this.#corked) return this.#raw.write(chunk);
    let ok = true;
    this.cork(() => {
      ok = this.#raw.write(chunk);
    });
    return ok;
  }

  endNow(kind: EndKind, body: RecognizedString | undefined, arg: number | undefined, closeConnection: boolean | undefined): void {
    // Checked here, not only in cork(): inside the route callback no closure is made per request.
    if (this.#corked) this.#endRaw(kind, body, arg, closeConnection);
    else this.cork(() => this.#endRaw(kind, body, arg, closeConnection));
  }

  tryEndNow(chunk: RecognizedString, totalSize: number): [boolean, boolean] {
    let result: [boolean, boolean] = [false, false];
    this.cork(() => {
      this.#body?.stop();
      result = this.#raw.tryEnd(chunk, totalSize);
    });
    this.#trying = !result[1];
    return result;
  }

  /** The handler's onWritable, kept so that a tryEnd held during the save can be retried. */
  setWritable(handler: (offset: number) => boolean): void {
    this.#writable = handler;
  }

  // ---- GateOutput ----

  release(gate: SaveGate<any, HttpRequest | undefined>): void {
    if (this.#corked) this.#flush(gate);
    else this.cork(() => this.#flush(gate));
  }

  releaseEnd(): void {
    if (this.#corked) this.#sendEnd();
    else this.cork(() => this.#sendEnd());
  }

  discard(): void {
    this.#status = this.#headers = this.#chunks = this.#endBody = undefined;
    this.#endKind = EndKind.None;
  }

  cutOff(): void {
    this.#raw.close();
  }

  answered(): boolean {
    return this.#endKind !== EndKind.None;
  }

  onError(error: unknown, req: HttpRequest | undefined): unknown {
    return this.#options.onError?.(error, req, this.#res);
  }

  answer500(): void {
    this.discard();
    sendServerError(this.#res);
  }

  /**
   * The session's headers go out at once, before the handler's, except that `Vary` and
   * `Cache-Control` are merged into the handler's queued value when it queued one.
   */
  static readonly #sessionHeaders: HeaderAccess<UwsOutput> = {
    get: (output, name) => {
      const at = output.#queuedValueAt(name);
      return at < 0 ? undefined : latin1(output.#headers![at]!);
    },
    set: (output, name, value) => {
      const at = output.#queuedValueAt(name);
      if (at < 0) output.#raw.writeHeader(name, value);
      else output.#headers![at] = value;
    },
    append: (output, name, value) => void output.#raw.writeHeader(name, value),
  };

  /** Where the value of the handler's queued header `name` (any case) is, or -1. */
  #queuedValueAt(name: string): number {
    const headers = this.#headers;
    if (headers === undefined) return -1;
    for (let i = 0; i < headers.length; i += 2) {
      const key = latin1(headers[i]!);
      // The length first: most queued headers are not the one wanted, and lower-casing allocates.
      if (key.length === name.length && (key === name || key.toLowerCase() === name.toLowerCase())) return i + 1;
    }
    return -1;
  }

  /** Status, session headers, the handler's headers, queued body and end: runs corked. */
  #flush(gate: SaveGate<any, HttpRequest | undefined>): void {
    const raw = this.#raw;
    if (this.#status !== undefined) raw.writeStatus(this.#status);
    gate.writeHeaders(this, UwsOutput.#sessionHeaders);
    const headers = this.#headers;
    if (headers !== undefined) for (let i = 0; i < headers.length; i += 2) raw.writeHeader(headers[i]!, headers[i + 1]!);
    const chunks = this.#chunks;
    this.#headers = this.#chunks = undefined;
    if (chunks !== undefined) for (const chunk of chunks) raw.write(chunk);
    if (this.#endKind === EndKind.None) return;
    if (this.#endKind === EndKind.TryEnd || gate.finish()) this.#sendEnd();
  }

  #sendEnd(): void {
    const kind = this.#endKind;
    if (kind === EndKind.TryEnd) {
      // The handler was told [false, false]: it retries from getWriteOffset() in its onWritable.
      this.#writable?.(this.#raw.getWriteOffset());
      return;
    }
    this.#endRaw(kind, this.#endBody, this.#endArg, this.#closeConnection);
    this.#endBody = undefined;
  }

  /** Ends the raw response, passing only the arguments the handler gave (uWS reads `undefined` as a value). */
  #endRaw(kind: EndKind, body: RecognizedString | undefined, arg: number | undefined, closeConnection: boolean | undefined): void {
    const raw = this.#raw;
    this.#body?.stop(); // must come before the end: the raw response is unusable after it
    if (kind === EndKind.End) {
      if (closeConnection !== undefined) raw.end(body, closeConnection);
      else if (body !== undefined) raw.end(body);
      else raw.end();
    } else if (closeConnection !== undefined) raw.endWithoutBody(arg, closeConnection);
    else if (arg !== undefined) raw.endWithoutBody(arg);
    else raw.endWithoutBody();
  }
}

/** A header name, value or status uWS accepts, as text. */
function latin1(value: RecognizedString): string {
  if (typeof value === 'string') return value;
  if (value instanceof ArrayBuffer) return Buffer.from(value).toString('latin1');
  return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('latin1');
}

/** The answer to a failure onError left unanswered: 500 with a plain-text body, unless the response started. */
function sendServerError(res: SessionHttpResponse): void {
  if (res.aborted || res.headersSent) return;
  res.cork(() => {
    res.writeStatus('500 Internal Server Error').writeHeader('Content-Type', 'text/plain; charset=utf-8').end('Internal Server Error');
  });
}
