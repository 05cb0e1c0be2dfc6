// Holds a node:http response's writeHead/write/end/flushHeaders until the session is saved, via instance wrappers only.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { SaveAction, type SessionManager } from '../manager.js';
import type { Session } from '../session.js';
import { isPromiseLike } from '../store.js';
import { logRequestError, saveSnapshot, type ResolvedAdapterOptions } from './options.js';

type Options = ResolvedAdapterOptions<IncomingMessage, ServerResponse>;
type Method = (...args: unknown[]) => unknown;

// Phases.
const OPEN = 0; // nothing sent
const SAVING = 1; // the session is being saved; calls are queued
const SENT = 2; // headers may go out: calls pass through
const DONE = 3; // end passed through
const FAILED = 4; // the save failed before headers: calls pass through for onError's answer

/** Hands an error to onError, never letting it escape. @internal */
export function report(options: Options, error: unknown, req: IncomingMessage, res: ServerResponse): void {
  try {
    options.onError(error, req, res);
  } catch (secondary) {
    logRequestError('node', secondary);
    if (!res.writableEnded) res.destroy();
  }
}

/**
 * Replaces `writeHead`, `write`, `end` and `flushHeaders` on this one response object (never the
 * prototype) so that the first of them saves the session and sets its headers first. @internal
 */
export function hookResponse<Data extends object>(
  manager: SessionManager<Data>,
  options: Options,
  req: IncomingMessage,
  res: ServerResponse,
  session: Session<Data>,
): void {
  const original = {
    writeHead: res.writeHead as unknown as Method,
    write: res.write as unknown as Method,
    end: res.end as unknown as Method,
    flushHeaders: res.flushHeaders as unknown as Method,
  };
  type Name = keyof typeof original;
  let phase = OPEN;
  let queue: [Name, unknown[]][] = [];

  const replay = (): void => {
    const calls = queue;
    queue = [];
    for (const [name, args] of calls) pass(name, args);
  };

  const pass = (name: Name, args: unknown[]): unknown => {
    if (name === 'end') {
      if (phase === SENT && session.status === 'modified') return resaveThenEnd(args);
      if (phase === SENT) phase = DONE;
    }
    return original[name].apply(res, args);
  };

  const setHeaders = (action: SaveAction): void => {
    if (res.headersSent) return;
    res.appendHeader('Vary', options.vary);
    if (action === SaveAction.None) return;
    if (options.tokenHeader === undefined) res.appendHeader('Set-Cookie', manager.setCookieHeader(session, action));
    else res.setHeader(options.tokenHeader, action === SaveAction.ClearCookie ? '' : session.token);
    res.appendHeader('Cache-Control', options.cacheControl);
  };

  const failed = (error: unknown): void => {
    queue = [];
    if (res.headersSent) {
      // Data the response promised is not in the store: do not let it look complete.
      phase = DONE;
      report(options, error, req, res);
      if (!res.destroyed) res.destroy();
      return;
    }
    phase = FAILED;
    report(options, error, req, res);
  };

  const saved = (action: SaveAction): void => {
    setHeaders(action);
    phase = SENT;
    replay();
  };

  const save = (): void => {
    phase = SAVING;
    let action: SaveAction | Promise<SaveAction>;
    try {
      action = saveSnapshot(manager, session);
    } catch (error) {
      failed(error);
      return;
    }
    if (isPromiseLike(action)) action.then(saved, failed);
    else saved(action);
  };

  // A change made after the headers went out (while streaming) is saved before the response ends.
  const resaveThenEnd = (args: unknown[]): unknown => {
    phase = SAVING;
    queue.push(['end', args]);
    let action: SaveAction | Promise<SaveAction>;
    try {
      action = saveSnapshot(manager, session);
    } catch (error) {
      failed(error);
      return res;
    }
    if (isPromiseLike(action)) action.then(saved, failed);
    else saved(action);
    return res;
  };

  const hook = (name: Name, queued: unknown): Method =>
    function sessionHook(...args: unknown[]): unknown {
      switch (phase) {
        case OPEN:
          save();
          if ((phase as number) === SENT) return pass(name, args);
          if ((phase as number) === SAVING) queue.push([name, args]);
          return queued;
        case SAVING:
          queue.push([name, args]);
          return queued;
        case FAILED:
          return original[name].apply(res, args);
        default:
          return pass(name, args);
      }
    };

  res.writeHead = hook('writeHead', res) as unknown as ServerResponse['writeHead'];
  res.write = hook('write', true) as unknown as ServerResponse['write'];
  res.end = hook('end', res) as unknown as ServerResponse['end'];
  res.flushHeaders = hook('flushHeaders', undefined) as unknown as ServerResponse['flushHeaders'];
}
