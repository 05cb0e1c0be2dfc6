// Option checks shared by the SQL stores: the table name (never SQL injection) and the cleanup interval.
import { optionError } from '../errors.js';

/** A plain SQL identifier: letters, digits and `_`, not starting with a digit, at most 64 characters. */
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/** A table name split into its optional schema and its name, both checked against {@link IDENTIFIER}. */
export interface TableName {
  schema: string | undefined;
  name: string;
}

/**
 * Checks the `table` option: `name` or `schema.name`, each part a plain identifier. Anything else
 * (quotes, spaces, semicolons) is a TypeError naming the option, so the name can be quoted safely.
 */
export function parseTableName(table: unknown): TableName {
  if (typeof table === 'string') {
    const parts = table.split('.');
    if (parts.length <= 2 && parts.every((part) => IDENTIFIER.test(part))) {
      return parts.length === 2 ? { schema: parts[0], name: parts[1]! } : { schema: undefined, name: parts[0]! };
    }
  }
  throw optionError('table', 'must be a table name of letters, digits and _ (optionally schema.table)', table);
}

/** Checks the `cleanupInterval` option: ms between deletions of expired rows, 0 = off. */
export function checkCleanupInterval(interval: unknown): number {
  if (typeof interval !== 'number' || !Number.isFinite(interval) || interval < 0 || interval > 2 ** 31 - 1) {
    throw optionError('cleanupInterval', 'must be a number of ms from 0 (off) to 2147483647', interval);
  }
  return interval;
}

/**
 * Runs `task` every `interval` ms on an unref'd timer (0 = never), one run at a time; a failed run
 * goes to `onError`. Returns the function that stops the timer and resolves once a run in flight
 * has finished, so nothing touches the database after `close()` has resolved.
 */
export function startCleanup(interval: number, task: () => Promise<unknown>, onError: (error: unknown) => void): () => Promise<void> {
  if (interval === 0) return () => Promise.resolve();
  let running: Promise<void> | undefined;
  const timer = setInterval(() => {
    if (running !== undefined) return;
    running = task().then(
      () => {
        running = undefined;
      },
      (error: unknown) => {
        running = undefined;
        onError(error);
      },
    );
  }, interval);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}

/** The default cleanup error handler: a warning on stderr, so a failing cleanup is seen but never crashes the app. */
export function warnCleanupError(error: unknown): void {
  console.warn(error);
}
