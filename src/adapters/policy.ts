// What every adapter sends with a response and how it answers a failure, whatever the framework.
import { SaveAction, type SessionManager } from '../manager.js';
import type { Session } from '../session.js';
import { isPromiseLike } from '../store.js';
import { describeError } from './options.js';

/** The adapter options that shape the session's response headers. @internal */
export interface SessionHeaderOptions {
  /** Lower-cased token header name, or undefined in cookie mode. */
  readonly tokenHeader: string | undefined;
  /** The value of `Vary`. */
  readonly vary: string;
  /** The value of `Cache-Control` on a response that sets or clears the token. */
  readonly cacheControl: string;
}

/** Adds one header to a response; `target` is the framework's response object. @internal */
export type HeaderWriter<T> = (target: T, name: string, value: string) => void;

/**
 * Writes the session's response headers after a save: always `Vary`; and when `action` sets or
 * clears the token, `Set-Cookie` (or the token header) plus `Cache-Control`. Each is an added
 * header line: a framework adapter must append, never replace, so that the handler's own `Vary`,
 * `Set-Cookie` and `Cache-Control` stay. Pass `session` undefined for a response that commits
 * nothing (an error answer): then only `Vary` is written.
 * @internal
 */
export function writeSessionHeaders<Data extends object, T>(
  manager: SessionManager<Data>,
  options: SessionHeaderOptions,
  session: Session<Data> | undefined,
  action: SaveAction,
  target: T,
  write: HeaderWriter<T>,
): void {
  write(target, 'Vary', options.vary);
  if (session === undefined || action === SaveAction.None) return;
  if (options.tokenHeader === undefined) write(target, 'Set-Cookie', manager.setCookieHeader(session, action));
  else write(target, options.tokenHeader, action === SaveAction.ClearCookie ? '' : session.token);
  write(target, 'Cache-Control', options.cacheControl);
}

/**
 * The error policy: calls the user's `onError` (through `call`), then `settled` with what it
 * returned once it returned or its promise settled. `settled` checks whether the response was
 * answered and answers 500 (with `Vary`) if not, so no request is left hanging. An `onError` that
 * throws or rejects is logged without tokens and counts as having answered nothing.
 * @internal
 */
export function callErrorHandler<T>(adapter: string, call: () => T | PromiseLike<T>, settled: (result: T | undefined) => void): void {
  let result: T | PromiseLike<T>;
  try {
    result = call();
  } catch (secondary) {
    logErrorHandlerFailure(adapter, secondary);
    settled(undefined);
    return;
  }
  if (!isPromiseLike<T>(result)) {
    settled(result);
    return;
  }
  result.then(settled, (secondary: unknown) => {
    logErrorHandlerFailure(adapter, secondary);
    settled(undefined);
  });
}

function logErrorHandlerFailure(adapter: string, error: unknown): void {
  console.error(`sessionkit: ${adapter}: onError failed: ${describeError(error)}`);
}

/** True for a 5xx status: such a response commits nothing. @internal */
export function isServerError(status: number): boolean {
  return status >= 500 && status <= 599;
}
