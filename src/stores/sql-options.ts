// Option checks shared by the SQL stores: the table name (never SQL injection) and the default cleanup error handler.
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

/** The default cleanup error handler: a warning on stderr, so a failing cleanup is seen but never crashes the app. */
export function warnCleanupError(error: unknown): void {
  console.warn(error);
}
