// What every adapter sends with a response and how it answers a failure, whatever the framework.
import { SaveAction, type SessionManager } from '../manager.js';
import type { Session } from '../session.js';
import { isPromiseLike, type Store } from '../store.js';
import { addListValue, type HeaderAccess } from './header-values.js';
import { describeError, logRequestError } from './options.js';

/** The adapter options that shape the session's response headers. @internal */
export interface SessionHeaderOptions {
  /** Lower-cased token header name, or undefined in cookie mode. */
  readonly tokenHeader: string | undefined;
  /** The value of `Vary`. */
  readonly vary: string;
  /** The value of `Cache-Control` on a response that sets or clears the token. */
  readonly cacheControl: string;
}

/** What the save gate needs of the adapter options: the header options, and the user's onError if any. @internal */
export interface GateOptions extends SessionHeaderOptions {
  /** The user's onError; undefined for the default: log without the token, then answer 500. */
  readonly onError: unknown;
}

/**
 * Writes the session's response headers after a save: always `Vary`; and when `action` sets or
 * clears the token, `Set-Cookie` (or the token header) plus `Cache-Control`. They are added, never
 * replace the handler's own: `Vary` and `Cache-Control` are merged into the handler's value
 * without repeating a member, `Set-Cookie` is one more line. Pass `session` undefined for a
 * response that commits nothing (an error answer): then only `Vary` is written.
 * @internal
 */
export function writeSessionHeaders<Data extends object, T>(
  manager: SessionManager<Data>,
  options: SessionHeaderOptions,
  session: Session<Data> | undefined,
  action: SaveAction,
  target: T,
  headers: HeaderAccess<T>,
): void {
  addListValue(headers, target, 'Vary', options.vary);
  if (session === undefined || action === SaveAction.None) return;
  if (options.tokenHeader === undefined) headers.append(target, 'Set-Cookie', manager.setCookieHeader(session, action));
  else headers.set(target, options.tokenHeader, action === SaveAction.ClearCookie ? '' : session.token);
  addListValue(headers, target, 'Cache-Control', options.cacheControl);
}

/** How long an `onError` promise may take when the store has no `timeout` of its own, in ms. */
export const DEFAULT_ERROR_BUDGET = 5000;

/** The time an `onError` promise gets: the store's `timeout` (the budget of one store operation), else 5 s. @internal */
export function errorBudget(store: Store): number {
  const timeout = (store as { readonly timeout?: unknown }).timeout;
  return typeof timeout === 'number' && timeout > 0 && Number.isFinite(timeout) ? timeout : DEFAULT_ERROR_BUDGET;
}

/**
 * The error policy: calls the user's `onError` (through `call`), then `settled` with what it
 * returned once it returned or its promise settled, or after `budget` ms if the promise has not
 * settled by then (it is logged and abandoned). `settled` checks whether the response was
 * answered and answers 500 (with `Vary`) if not, so no request is left hanging. An `onError` that
 * throws or rejects is logged without tokens and counts as having answered nothing. Without a
 * user `onError` (`call` undefined), `error` is logged without tokens and nothing is answered.
 * @internal
 */
export function callErrorHandler<T>(
  adapter: string,
  error: unknown,
  call: (() => T | PromiseLike<T>) | undefined,
  settled: (result: T | undefined) => void,
  budget = DEFAULT_ERROR_BUDGET,
): void {
  if (call === undefined) {
    logRequestError(adapter, error);
    settled(undefined);
    return;
  }
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
  // settled() answers only a response still unanswered, so a late settle after the budget is harmless.
  const abandon = setTimeout(() => {
    console.error(`sessionkit: ${adapter}: onError did not settle within ${budget} ms; the request gets a 500`);
    settled(undefined);
  }, budget);
  result.then(
    (answer) => {
      clearTimeout(abandon);
      settled(answer);
    },
    (secondary: unknown) => {
      clearTimeout(abandon);
      logErrorHandlerFailure(adapter, secondary);
      settled(undefined);
    },
  );
}

function logErrorHandlerFailure(adapter: string, error: unknown): void {
  console.error(`sessionkit: ${adapter}: onError failed: ${describeError(error)}`);
}

/** True for a 5xx status: such a response commits nothing. @internal */
export function isServerError(status: number): boolean {
  return status >= 500 && status <= 599;
}
