// How sessionkit/node writes: one response's writeHead/write/end/flushHeaders follow the save gate.
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { SessionManager } from '../manager.js';
import type { HeaderAccess } from './header-values.js';
import { hookResponse, type HookedName, type HookTarget, type Originals } from './node-install.js';
import type { ErrorHandler, ResolvedAdapterOptions } from './options.js';
import { isServerError } from './policy.js';
import { SaveGate, type GateOutput, type GateState } from './save-gate.js';

type Options = ResolvedAdapterOptions<ErrorHandler<IncomingMessage, ServerResponse>>;

const responseHeaders: HeaderAccess<ServerResponse> = {
  get: (res, name) => res.getHeader(name),
  set: (res, name, value) => void res.setHeader(name, value),
  // appendHeader of a header not set yet validates the value twice (it ends in setHeader).
  append: (res, name, value) => void (res.hasHeader(name) ? res.appendHeader(name, value) : res.setHeader(name, value)),
};

/**
 * The node:http side of a save gate. Takes over `writeHead`, `write`, `end` and `flushHeaders`
 * of this one response (see `hookResponse`): the first of them hands the response to the gate,
 * later ones are queued while a save runs and replayed once it is done.
 * @internal
 */
export class NodeOutput implements GateOutput<IncomingMessage>, HookTarget {
  readonly adapter = 'node';
  readonly gate: SaveGate<any, IncomingMessage>;
  readonly #req: IncomingMessage;
  readonly #res: ServerResponse;
  readonly #options: Options;
  readonly #original: Originals;
  /** Calls held while a save runs; undefined while none is. */
  #queue: [HookedName, unknown[]][] | undefined = undefined;
  /** True once the handler or onError called end (it may still be queued). */
  #ended = false;
  /** True once the request failed and onError took the response over. */
  #failed = false;

  constructor(manager: SessionManager<any>, options: Options, req: IncomingMessage, res: ServerResponse) {
    this.#req = req;
    this.#res = res;
    this.#options = options;
    this.gate = new SaveGate(manager, options, this);
    this.#original = hookResponse(res, this);
  }

  call(name: HookedName, args: unknown[], queued: unknown): unknown {
    if (name === 'end') this.#ended = true;
    const gate = this.gate;
    switch (gate.state) {
      case 'loading':
      case 'open':
      case 'failed': {
        const status = name === 'writeHead' ? applyHeadHeaders(this.#res, args) : this.#res.statusCode;
        gate.respond(isServerError(status));
        const after = gate.state as GateState;
        if (after === 'sent') return this.#pass(name, args);
        if (after === 'saving') this.#hold(name, args);
        return queued; // else the save failed at once: onError answers instead
      }
      case 'saving':
      case 'resaving':
        this.#hold(name, args);
        return queued;
      case 'sent':
        return this.#pass(name, args);
      default:
        // After onError's answer ended the response, the failed handler's own calls are dropped
        // (node would emit 'write after end' on the response).
        if (this.#failed && this.#res.writableEnded) return queued;
        return this.#original[name].apply(this.#res, args);
    }
  }

  #hold(name: HookedName, args: unknown[]): void {
    (this.#queue ??= []).push([name, args]);
  }

  #pass(name: HookedName, args: unknown[]): unknown {
    if (name === 'end' && !this.gate.finish()) {
      this.#hold(name, args); // replayed by releaseEnd once the late changes are saved
      return this.#res;
    }
    return this.#original[name].apply(this.#res, args);
  }

  #replay(): void {
    const calls = this.#queue;
    if (calls === undefined) return;
    this.#queue = undefined;
    const res = this.#res as unknown as Originals;
    for (const [name, args] of calls) res[name].apply(res, args);
  }

  release(gate: SaveGate<any, IncomingMessage>): void {
    if (!this.#res.headersSent) gate.writeHeaders(this.#res, responseHeaders);
    this.#replay();
  }

  releaseEnd(): void {
    this.#replay();
  }

  discard(): void {
    this.#queue = undefined;
    this.#ended = false;
    this.#failed = true;
  }

  cutOff(): void {
    if (!this.#res.destroyed) this.#res.destroy();
  }

  answered(): boolean {
    const res = this.#res;
    return this.#ended || res.writableEnded || res.destroyed;
  }

  onError(error: unknown): unknown {
    return this.#options.onError?.(error, this.#req, this.#res);
  }

  answer500(): void {
    sendServerError(this.#res);
  }
}

/**
 * Applies the headers of `writeHead(status, [message], headers)` now, as node:http does when
 * headers were also set with setHeader (object entries replace, a flat [name, value, ...] list
 * replaces and keeps its own duplicates), and drops them from `args`; so the session's headers,
 * added later, are never replaced. Returns the status.
 */
function applyHeadHeaders(res: ServerResponse, args: unknown[]): number {
  const status = Number(args[0]);
  const last = args.length > 1 ? args[args.length - 1] : undefined;
  if (last === null || typeof last !== 'object') return status;
  if (Array.isArray(last)) {
    if (last.length % 2 !== 0) return status; // node:http rejects it with its own error
    for (let i = 0; i < last.length; i += 2) res.removeHeader(String(last[i]));
    for (let i = 0; i < last.length; i += 2) res.appendHeader(String(last[i]), last[i + 1] as string | string[]);
  } else {
    for (const [name, value] of Object.entries(last as OutgoingHttpHeaders)) if (name !== '') res.setHeader(name, value as string);
  }
  args.length -= 1;
  return status;
}

/** The answer to a failure onError left unanswered: 500 with a plain-text body, or a cut connection once headers went out. */
function sendServerError(res: ServerResponse): void {
  if (res.headersSent) {
    if (!res.writableEnded) res.destroy();
    return;
  }
  for (const name of res.getHeaderNames()) res.removeHeader(name);
  res.statusCode = 500;
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.end('Internal Server Error');
}
