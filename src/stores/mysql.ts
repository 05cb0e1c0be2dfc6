// sessionkit/mysql: MySqlStore, sessions in a MySQL or MariaDB table with the SCS schema, through the user's mysql2 pool.
import type { Pool, PoolConnection, ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import { BackgroundTask } from '../background-task.js';
import { optionError, SessionkitError } from '../errors.js';
import type { Store } from '../store.js';
import { sanitizeError, storeError } from '../store-error.js';
import { functionOption, intervalOption, timeoutOption } from '../validate.js';
import { asBuffer, asBytes } from './bytes.js';
import { Deadline } from './deadline.js';
import { parseTableName, warnCleanupError, type TableName } from './sql-options.js';

export interface MySqlStoreOptions {
  /** A `mysql2/promise` pool the user built and owns; `close()` never ends it. */
  pool: Pool;
  /** Table name, optionally `database.table`; letters, digits and `_` only, used verbatim (quoted). Default `sessions`. */
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

const COMPONENT = 'mysql store';
const PAGE = 100;
/** A TIMESTAMP(6) from the ms since epoch passed as a parameter, exact to the ms (integer division is DECIMAL, not double). */
const AT = 'FROM_UNIXTIME(CAST(? AS SIGNED) / 1000)';

function quoted({ schema, name }: TableName): string {
  return schema === undefined ? `\`${name}\`` : `\`${schema}\`.\`${name}\``;
}

function fail(operation: string, cause: unknown) {
  return storeError(COMPONENT, operation, cause);
}

function releaseLate(connection: PoolConnection): void {
  connection.release();
}

/** Byte caps of the BLOB types: what a column can be widened to. */
const MEDIUMBLOB_CAP = 2 ** 24 - 1;
const LONGBLOB_CAP = 2 ** 32 - 1;

interface DataRow extends RowDataPacket {
  data: Buffer;
}
interface PageRow extends DataRow {
  token: string;
}
interface ColumnRow extends RowDataPacket {
  cap: number | string | null;
  type: string;
}

/**
 * Sessions in MySQL or MariaDB: every commit is one upsert (`INSERT ... ON DUPLICATE KEY UPDATE`),
 * durable once InnoDB has committed it, shared by every process that uses the table, and
 * readable by SCS. Each operation is one round trip over a pooled connection (a prepared
 * statement): expect thousands, not millions, of operations a second. Expired rows are never
 * returned and are deleted on an unref'd timer.
 *
 * Schema (see {@link MySqlStore.schemaSql}; {@link MySqlStore.createTable} runs it):
 * `token CHAR(43) PRIMARY KEY, data MEDIUMBLOB NOT NULL, expiry TIMESTAMP(6) NOT NULL` and an
 * index on `expiry`. A table made by SCS (`data BLOB`, 64 KiB) keeps working; a bigger session
 * there is rejected with a clear error, never truncated.
 *
 * @example
 * const pool = mysql.createPool({ host, user, database, connectTimeout: 5000 });
 * const store = new MySqlStore({ pool });
 * await store.createTable();
 */
export class MySqlStore implements Store {
  /** The quoted table name used in every statement. */
  readonly table: string;
  private readonly pool: Pool;
  private readonly name: TableName;
  private readonly sql: ReturnType<typeof buildStatements>;
  private readonly ddl: string;
  /** Size cap of the `data` column in bytes, read from information_schema on the first commit. */
  private cap: number | undefined;
  private capRead: Promise<void> | undefined;
  private columnType = '';
  private readonly timeout: number;
  private readonly cleaner: BackgroundTask<number>;

  constructor(options: MySqlStoreOptions) {
    const { pool, table = 'sessions' } = options ?? ({} as MySqlStoreOptions);
    if (pool === null || typeof pool !== 'object' || typeof pool.getConnection !== 'function' || typeof pool.execute !== 'function') {
      throw optionError('pool', 'must be a mysql2/promise pool', pool);
    }
    const onCleanupError = functionOption('onCleanupError', options.onCleanupError, warnCleanupError);
    this.name = parseTableName(table);
    const interval = intervalOption('cleanupInterval', options.cleanupInterval, 300_000);
    this.timeout = timeoutOption('timeout', options.timeout, 5000);
    this.pool = pool;
    this.table = quoted(this.name);
    this.sql = buildStatements(this.table);
    this.ddl = MySqlStore.schemaSql(table);
    this.cleaner = new BackgroundTask(interval, () => this.deleteExpired(), onCleanupError);
  }

  /**
   * The DDL for a session table (default `sessions`): SCS's schema with `MEDIUMBLOB` (16 MiB) for
   * data, and tokens compared byte for byte (`ascii_bin`). Idempotent (`IF NOT EXISTS`).
   */
  static schemaSql(table = 'sessions'): string {
    const name = parseTableName(table);
    return (
      `CREATE TABLE IF NOT EXISTS ${quoted(name)} (` +
      'token CHAR(43) CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY, ' +
      'data MEDIUMBLOB NOT NULL, ' +
      'expiry TIMESTAMP(6) NOT NULL, ' +
      `INDEX \`${`${name.name}_expiry_idx`.slice(0, 64)}\` (expiry))`
    );
  }

  /** Creates the table with its expiry index when it does not exist. */
  async createTable(): Promise<void> {
    await this.run('createTable', (connection) => connection.query(this.ddl));
  }

  async find(token: string): Promise<Uint8Array | undefined> {
    const [rows] = await this.run('find', (connection) => connection.execute<DataRow[]>(this.sql.find, [token, Date.now()]));
    const row = rows[0];
    return row === undefined ? undefined : asBytes(row.data);
  }

  async commit(token: string, data: Uint8Array, expiresAt: number): Promise<void> {
    if (!(expiresAt > Date.now())) return this.delete(token);
    const deadline = new Deadline(this.timeout); // the first commit reads the cap too: both share one time limit
    try {
      if (this.cap === undefined) await (this.capRead ??= this.readCap(deadline).finally(() => (this.capRead = undefined)));
      if (this.cap !== undefined && data.byteLength > this.cap) throw this.tooBig(data.byteLength);
      await this.run('commit', (connection) => connection.execute(this.sql.commit, [token, asBuffer(data), expiresAt]), deadline);
    } catch (error) {
      const cause = (error as Error).cause as { code?: unknown } | undefined;
      if (cause?.code === 'ER_DATA_TOO_LONG') throw this.tooBig(data.byteLength, cause);
      throw error;
    } finally {
      deadline.clear();
    }
  }

  async delete(token: string): Promise<void> {
    await this.run('delete', (connection) => connection.execute(this.sql.delete, [token]));
  }

  async touch(token: string, expiresAt: number): Promise<void> {
    if (!(expiresAt > Date.now())) return this.delete(token);
    await this.run('touch', (connection) => connection.execute(this.sql.touch, [expiresAt, token, Date.now()]));
  }

  /** Live sessions, read in pages of 100 ordered by token (keyset pagination: no long-lived cursor). */
  async *all(): AsyncIterable<[token: string, data: Uint8Array]> {
    let after = '';
    for (;;) {
      const [rows] = await this.run('all', (connection) => connection.execute<PageRow[]>(this.sql.page, [after, Date.now()]));
      for (const row of rows) yield [row.token, asBytes(row.data)];
      if (rows.length < PAGE) return;
      after = rows[rows.length - 1]!.token;
    }
  }

  /** Deletes expired rows now (or joins the cleanup in flight); resolves to how many. The cleanup timer calls this. */
  cleanup(): Promise<number> {
    return this.cleaner.run();
  }

  /** Stops the cleanup timer and waits for a cleanup in flight. The pool stays open: it is the caller's. */
  async close(): Promise<void> {
    await this.cleaner.stop();
  }

  private async deleteExpired(): Promise<number> {
    const [result] = await this.run('cleanup', (connection) => connection.execute<ResultSetHeader>(this.sql.cleanup, [Date.now()]));
    return result.affectedRows;
  }

  /**
   * `query` on a pooled connection, settled within the timeout (mysql2 has no pool-wide query
   * timeout). A connection that arrives after the time is up goes back to the pool unused; one
   * whose query got no answer in time is destroyed.
   */
  private async run<T>(operation: string, query: (connection: PoolConnection) => Promise<T>, shared?: Deadline): Promise<T> {
    const deadline = shared ?? new Deadline(this.timeout);
    let connection: PoolConnection | undefined;
    try {
      connection = await deadline.race(this.pool.getConnection(), releaseLate);
      const result = await deadline.race(query(connection));
      connection.release();
      return result;
    } catch (error) {
      if (connection !== undefined) {
        if (deadline.passed) connection.destroy();
        else connection.release();
      }
      throw fail(operation, error);
    } finally {
      if (shared === undefined) deadline.clear();
    }
  }

  /**
   * Reads the byte cap of the `data` column once, so that an oversized session is refused here
   * even on a server whose sql_mode would truncate it. If it cannot be read (no table yet, no
   * privilege, server down), the next commit tries again and the server's strict mode decides.
   */
  private async readCap(deadline: Deadline): Promise<void> {
    try {
      const [rows] = await this.run(
        'commit',
        (connection) =>
          connection.execute<ColumnRow[]>(
            'SELECT CHARACTER_OCTET_LENGTH AS cap, COLUMN_TYPE AS type FROM information_schema.COLUMNS ' +
              "WHERE TABLE_SCHEMA = COALESCE(?, DATABASE()) AND TABLE_NAME = ? AND COLUMN_NAME = 'data'",
            [this.name.schema ?? null, this.name.name],
          ),
        deadline,
      );
      const row = rows[0];
      if (row === undefined) return;
      this.columnType = String(row.type);
      this.cap = row.cap === null ? Number.POSITIVE_INFINITY : Number(row.cap);
    } catch {
      // Not fatal: the commit itself reports a lost connection; strict mode reports ER_DATA_TOO_LONG.
    }
  }

  /** The error for a session over the `data` column's cap, saying what can actually be done about it. */
  private tooBig(length: number, cause?: unknown): SessionkitError {
    const cap = this.cap === undefined ? '' : ` of ${this.cap} bytes (${this.columnType})`;
    const smaller = "keep sessions smaller (the manager's maxSessionBytes option refuses bigger ones before they reach the store)";
    let advice: string;
    if (this.cap === undefined) advice = `check the type of ${this.table}.data (MEDIUMBLOB holds 16 MiB) or ${smaller}`;
    else if (this.cap < MEDIUMBLOB_CAP) advice = `widen the column with ALTER TABLE ${this.table} MODIFY data MEDIUMBLOB NOT NULL (16 MiB), or ${smaller}`;
    else if (this.cap < LONGBLOB_CAP) {
      advice = `${smaller}; a LONGBLOB column (ALTER TABLE ${this.table} MODIFY data LONGBLOB NOT NULL) also needs the server's max_allowed_packet raised`;
    } else advice = smaller;
    return new SessionkitError(
      COMPONENT,
      `commit failed: the session is ${length} bytes, over the cap${cap} of ${this.table}.data; ${advice}`,
      cause === undefined ? undefined : sanitizeError(cause),
    );
  }
}

function buildStatements(t: string) {
  return {
    find: `SELECT data FROM ${t} WHERE token = ? AND expiry > ${AT}`,
    commit: `INSERT INTO ${t} (token, data, expiry) VALUES (?, ?, ${AT}) ON DUPLICATE KEY UPDATE data = VALUES(data), expiry = VALUES(expiry)`,
    delete: `DELETE FROM ${t} WHERE token = ?`,
    touch: `UPDATE ${t} SET expiry = ${AT} WHERE token = ? AND expiry > ${AT}`,
    page: `SELECT token, data FROM ${t} WHERE token > ? AND expiry > ${AT} ORDER BY token LIMIT ${PAGE}`,
    cleanup: `DELETE FROM ${t} WHERE expiry <= ${AT}`,
  };
}
