// Option checks shared by the SQL stores: the table name (never SQL injection) and the default cleanup error handler.
import { optionError } from '../store-kit.js';

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

/** The default cleanup error handler: a warning on stderr, so a failing cleanup is seen but never crashes the app. */
export function warnCleanupError(error: unknown): void {
  console.warn(error);
}

/** The options both SQL stores take, around the user's pool `P`. */
export interface SqlStoreOptions<P> {
  /** The pool the user built and owns; `close()` never ends it. */
  pool: P;
  /** Table name, optionally `schema.table` (`database.table` on MySQL); letters, digits and `_` only, used verbatim (quoted). Default `sessions`. */
  table?: string;
  /** ms between deletions of expired rows; 0 turns it off (expired rows are still never returned). Default 300 000 (5 min). */
  cleanupInterval?: number;
  /** Called when a background cleanup fails; default: `console.warn`. */
  onCleanupError?: (error: unknown) => void;
  /**
   * ms within which every operation settles, the wait for a pooled connection included: a server
   * that is down or hung rejects the operation after this long (a system error, never "not found"),
   * and a connection whose query got no answer is destroyed, not returned to the pool. Default 5000.
   */
  timeout?: number;
}

/** Rows of live sessions, `page` at a time in token order (keyset pagination: no long-lived cursor). */
export async function* keysetPages(
  page: number,
  fetch: (after: string) => Promise<{ token: string; data: Uint8Array }[]>,
): AsyncIterable<[token: string, data: Uint8Array]> {
  let after = '';
  for (;;) {
    const rows = await fetch(after);
    for (const row of rows) yield [row.token, row.data];
    if (rows.length < page) return;
    after = rows[rows.length - 1]!.token;
  }
}
