// Store failures: a SessionkitError naming the store and the operation, whose cause is a copy of the driver error with nothing that could hold a token or session data.
import { SessionkitError } from './errors.js';
import { lifecycle } from './events.js';
import { publishStoreError } from './events-publish.js';

/** Runs of token characters: a long one, or one that mixes letters and digits, may be (part of) a token or its hash. */
const TOKEN_CHARS = /[A-Za-z0-9_-]{16,}/g;
/** Fields of a driver error worth keeping: how it failed, never what it was sent. */
const KEPT_FIELDS = ['code', 'errno', 'syscall', 'address', 'port'] as const;
/** A quoted value in a message (MySQL's `Duplicate entry '...'`): kept only when it reads as a name (table, key, column). */
const QUOTED = /'[^']*'|"[^"]*"/g;
const NAME = /^.[A-Za-z0-9_.$`]{0,64}.$/;
const MAX_DEPTH = 3;
const MAX_MESSAGE = 500;

/**
 * A copy of `error` safe to log: its name, its message with every token-shaped run and every
 * quoted value that is not a plain name replaced by `[redacted]`, its stack frames (code
 * locations only), its `code`, `errno`, `syscall`, `address` and `port`, and its `cause` and
 * `errors` copied the same way. Everything else a driver attaches (ioredis's
 * `command.args`, pg's `detail` and `parameters`, mysql2's `sql`) is left behind.
 */
export function sanitizeError(error: unknown, depth = 0): Error {
  if (!(error instanceof Error)) return new Error(typeof error === 'string' ? redact(error) : 'non-error value thrown');
  const copy = new Error(redact(error.message));
  const name = typeof error.name === 'string' ? error.name : 'Error';
  if (name !== 'Error') Object.defineProperty(copy, 'name', { value: name, writable: true, configurable: true });
  const frames = typeof error.stack === 'string' ? error.stack.split('\n').filter((line) => /^\s+at /.test(line)) : [];
  copy.stack = [`${name}: ${copy.message}`, ...frames].join('\n');
  const fields = error as unknown as Record<string, unknown>;
  for (const field of KEPT_FIELDS) {
    const value = fields[field];
    if (typeof value === 'number') (copy as unknown as Record<string, unknown>)[field] = value;
    else if (typeof value === 'string') (copy as unknown as Record<string, unknown>)[field] = value.slice(0, 100); // constants, never data
  }
  if (depth < MAX_DEPTH) {
    if (error.cause !== undefined) copy.cause = sanitizeError(error.cause, depth + 1);
    const errors = fields.errors;
    if (Array.isArray(errors)) (copy as Error & { errors?: Error[] }).errors = errors.map((inner) => sanitizeError(inner, depth + 1));
  }
  return copy;
}

function redact(text: string): string {
  return text
    .slice(0, MAX_MESSAGE)
    .replace(QUOTED, (quoted) => (NAME.test(quoted) ? quoted : `${quoted[0]}[redacted]${quoted[0]}`))
    .replace(TOKEN_CHARS, (run) => (run.length >= 32 || (/[0-9]/.test(run) && /[A-Za-z]/.test(run)) ? '[redacted]' : run));
}

/**
 * The error a store throws when `operation` failed: `sessionkit: <component>: <operation> failed`,
 * with the driver error, sanitized by {@link sanitizeError}, as `cause`.
 */
export function storeError(component: string, operation: string, cause: unknown): SessionkitError {
  const error = new SessionkitError(component, `${operation} failed`, sanitizeError(cause));
  if (lifecycle.storeError.hasSubscribers) publishStoreError(component, operation, error);
  return error;
}

/** The cause of an operation that got no answer in time. */
export function timeoutError(ms: number): Error {
  const error = new Error(`no answer within ${ms} ms`);
  Object.defineProperty(error, 'name', { value: 'TimeoutError', writable: true, configurable: true });
  return Object.assign(error, { code: 'ETIMEDOUT' });
}
