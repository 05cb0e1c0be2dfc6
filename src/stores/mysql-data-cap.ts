// MySqlStore's guard against truncation: the byte cap of the `data` column, read once, and the error that says what to do.
import { SessionkitError, sanitizeError } from '../store-kit.js';

/** Byte caps of the BLOB types: what a column can be widened to. */
const MEDIUMBLOB_CAP = 2 ** 24 - 1;
const LONGBLOB_CAP = 2 ** 32 - 1;

/** The column's cap and type as information_schema reports them (`cap` null: no limit). */
export interface DataColumn {
  cap: number | string | null;
  type: string;
}

/** The SQL that reads the `data` column of a table (parameters: schema or null, table name). */
export const DATA_COLUMN_SQL =
  'SELECT CHARACTER_OCTET_LENGTH AS cap, COLUMN_TYPE AS type FROM information_schema.COLUMNS ' +
  "WHERE TABLE_SCHEMA = COALESCE(?, DATABASE()) AND TABLE_NAME = ? AND COLUMN_NAME = 'data'";

/**
 * The byte cap of a table's `data` column, so that an oversized session is refused before the
 * write even on a server whose sql_mode would truncate it. Until the cap could be read (no table
 * yet, no privilege, server down), every check passes and the server's strict mode decides.
 */
export class DataColumnCap {
  readonly #component: string;
  readonly #table: string;
  #cap: number | undefined;
  #type = '';
  #reading: Promise<void> | undefined;

  constructor(component: string, quotedTable: string) {
    this.#component = component;
    this.#table = quotedTable;
  }

  /** Reads the cap once (concurrent callers share the read); a failed read is retried next time. */
  async load(read: () => Promise<DataColumn | undefined>): Promise<void> {
    if (this.#cap !== undefined) return;
    this.#reading ??= read()
      .then((column) => {
        if (column === undefined) return;
        this.#type = String(column.type);
        this.#cap = column.cap === null ? Number.POSITIVE_INFINITY : Number(column.cap);
      })
      .catch(() => undefined) // not fatal: the write itself reports a lost connection
      .finally(() => (this.#reading = undefined));
    await this.#reading;
  }

  /** Throws the too-big error when `length` bytes do not fit the column. */
  check(length: number): void {
    if (this.#cap !== undefined && length > this.#cap) throw this.tooBig(length);
  }

  /** The error for a session over the cap, saying what can actually be done about it. */
  tooBig(length: number, cause?: unknown): SessionkitError {
    const table = this.#table;
    const capText = this.#cap === undefined ? '' : ` of ${this.#cap} bytes (${this.#type})`;
    const smaller = "keep sessions smaller (the manager's maxSessionBytes option refuses bigger ones before they reach the store)";
    let advice: string;
    if (this.#cap === undefined) advice = `check the type of ${table}.data (MEDIUMBLOB holds 16 MiB) or ${smaller}`;
    else if (this.#cap < MEDIUMBLOB_CAP) advice = `widen the column with ALTER TABLE ${table} MODIFY data MEDIUMBLOB NOT NULL (16 MiB), or ${smaller}`;
    else if (this.#cap < LONGBLOB_CAP) {
      advice = `${smaller}; a LONGBLOB column (ALTER TABLE ${table} MODIFY data LONGBLOB NOT NULL) also needs the server's max_allowed_packet raised`;
    } else advice = smaller;
    return new SessionkitError(
      this.#component,
      `commit failed: the session is ${length} bytes, over the cap${capText} of ${table}.data; ${advice}`,
      cause === undefined ? undefined : sanitizeError(cause),
    );
  }
}
