// sessionkit/mysql: MySqlStore, sessions in a MySQL or MariaDB table with the SCS schema, through the user's mysql2 pool.
import type { PoolConnection, Pool, ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import { BackgroundTask, functionOption, intervalOption, optionError, type OwnedEntry, type Store, storeError, timeoutOption } from '../store-kit.js';
import { asBuffer, asBytes } from './bytes.js';
import { Deadline } from './deadline.js';
import { DATA_COLUMN_SQL, DataColumnCap, type DataColumn } from './mysql-data-cap.js';
import { USER_ID_COLUMN, addUserId, insertIfAbsent, matchedRows, ownerStatements, userIdIndex } from './mysql-owners.js';
import { checkOwner } from './owner.js';
import { keysetPages, parseTableName, warnCleanupError, type SqlStoreOptions, type TableName } from './sql-options.js';

/** Options of the store: a `mysql2/promise` pool the user built and owns, and the SQL store options. */
export type MySqlStoreOptions = SqlStoreOptions<Pool>;

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

interface DataRow extends RowDataPacket {
  data: Buffer;
}
interface PageRow extends DataRow {
  token: string;
}
interface OwnedRow extends PageRow {
  expires_at: number | string;
}
interface ColumnRow extends RowDataPacket, DataColumn {}

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
  private readonly owned: ReturnType<typeof ownerStatements>;
  private readonly ddl: string;
  /** Size cap of the `data` column, read from information_schema on the first commit. */
  private readonly cap: DataColumnCap;
  /** The longest one operation may take, in ms (the `timeout` option). */
  readonly timeout: number;
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
    this.owned = ownerStatements(this.table);
    this.ddl = MySqlStore.schemaSql(table);
    this.cap = new DataColumnCap(COMPONENT, this.table);
    this.cleaner = new BackgroundTask(interval, () => this.deleteExpired(), onCleanupError);
  }

  /**
   * The DDL for a session table (default `sessions`): SCS's schema with `MEDIUMBLOB` (16 MiB) for
   * data, and tokens compared byte for byte (`ascii_bin`), plus a nullable `user_id` column and
   * its index (the owner index behind users' sessions; SCS never names the column). Idempotent
   * (`IF NOT EXISTS`); {@link MySqlStore.createTable} also adds the column to an existing table.
   */
  static schemaSql(table = 'sessions'): string {
    const name = parseTableName(table);
    return (
      `CREATE TABLE IF NOT EXISTS ${quoted(name)} (` +
      'token CHAR(43) CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY, ' +
      'data MEDIUMBLOB NOT NULL, ' +
      'expiry TIMESTAMP(6) NOT NULL, ' +
      `${USER_ID_COLUMN}, ` +
      `INDEX \`${`${name.name}_expiry_idx`.slice(0, 64)}\` (expiry), ` +
      `INDEX \`${userIdIndex(name.name)}\` (user_id))`
    );
  }

  /**
   * Creates the table with its indexes when it does not exist, and adds the `user_id` column and
   * its index to an existing table (one made by SCS, say) that lacks them.
   */
  async createTable(): Promise<void> {
    await this.run('createTable', async (connection) => {
      await connection.query(this.ddl);
      await addUserId(connection, this.name, this.table);
    });
  }

  async find(token: string): Promise<Uint8Array | undefined> {
    const [rows] = await this.run('find', (connection) => connection.execute<DataRow[]>(this.sql.find, [token, Date.now()]));
    const row = rows[0];
    return row === undefined ? undefined : asBytes(row.data);
  }

  /** Upserts `token`; with `owner`, also sets its `user_id` (see {@link MySqlStore.findByOwner}). */
  async commit(token: string, data: Uint8Array, expiresAt: number, owner?: string): Promise<void> {
    if (owner !== undefined) checkOwner(owner, COMPONENT);
    if (!(expiresAt > Date.now())) return this.delete(token);
    if (owner === undefined) {
      await this.sized(data, 'commit', (connection) => connection.execute(this.sql.commit, [token, asBuffer(data), expiresAt]));
    } else {
      await this.sized(data, 'commit', (connection) => connection.execute(this.owned.commitOwned, [token, asBuffer(data), expiresAt, owner]));
    }
  }

  /**
   * Writes only if the live row holds `expected` (one `UPDATE ... WHERE token AND data AND
   * expiry`), or, with `expected` undefined, if there is no live row: an INSERT, and when the
   * token exists, an UPDATE that takes over the row only if it has expired. Each step is one
   * atomic statement, so concurrent writers cannot interleave. Without an `owner`, `user_id` is
   * left as it was.
   */
  async commitIf(token: string, expected: Uint8Array | undefined, data: Uint8Array, expiresAt: number, owner?: string): Promise<boolean> {
    if (owner !== undefined) checkOwner(owner, COMPONENT);
    if (!(expiresAt > Date.now())) return this.deleteIf(token, expected);
    const owned = owner === undefined ? [] : [owner];
    const set = [asBuffer(data), expiresAt, ...owned];
    return this.sized(data, 'commitIf', async (connection) => {
      if (expected !== undefined) {
        const [result] = await connection.execute<ResultSetHeader>(this.owned.replace(owner !== undefined), [...set, token, asBuffer(expected), Date.now()]);
        return matchedRows(result) === 1;
      }
      return insertIfAbsent(
        (sql, values) => connection.execute<ResultSetHeader>(sql, values),
        [this.owned.insert(owner !== undefined), [token, asBuffer(data), expiresAt, ...owned]],
        [this.owned.replaceExpired(owner !== undefined), [...set, token]],
      );
    });
  }

  /** The live rows whose `user_id` is `owner`: one indexed SELECT. */
  async findByOwner(owner: string): Promise<OwnedEntry[]> {
    checkOwner(owner, COMPONENT);
    const [rows] = await this.run('findByOwner', (connection) => connection.execute<OwnedRow[]>(this.owned.byOwner, [owner, Date.now()]));
    return rows.map((row) => ({ key: row.token, data: asBytes(row.data), expiresAt: Number(row.expires_at) }));
  }

  async delete(token: string): Promise<void> {
    await this.run('delete', (connection) => connection.execute(this.sql.delete, [token]));
  }

  /** Resolves false when no live row was moved. A row whose expiry already had that value counts as not moved (MySQL reports changed rows): the cookie it would refresh is unchanged too. */
  async touch(token: string, expiresAt: number): Promise<boolean> {
    if (!(expiresAt > Date.now())) {
      await this.delete(token);
      return false;
    }
    const [result] = await this.run('touch', (connection) => connection.execute<ResultSetHeader>(this.sql.touch, [expiresAt, token, Date.now()]));
    return result.affectedRows > 0;
  }

  /** Live sessions, read in pages of 100 ordered by token (keyset pagination: no long-lived cursor). */
  all(): AsyncIterable<[token: string, data: Uint8Array]> {
    return keysetPages(PAGE, async (after) => {
      const [rows] = await this.run('all', (connection) => connection.execute<PageRow[]>(this.sql.page, [after, Date.now()]));
      return rows.map((row) => ({ token: row.token, data: asBytes(row.data) }));
    });
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

  /** A conditional commit whose expiry is already past: deletes the row if it holds `expected`; with no `expected`, succeeds if no row is live. */
  private deleteIf(token: string, expected: Uint8Array | undefined): Promise<boolean> {
    return this.run('commitIf', async (connection) => {
      if (expected === undefined) {
        const [rows] = await connection.execute<RowDataPacket[]>(this.owned.live, [token, Date.now()]);
        return rows.length === 0;
      }
      const [result] = await connection.execute<ResultSetHeader>(this.owned.deleteIf, [token, asBuffer(expected), Date.now()]);
      return result.affectedRows === 1;
    });
  }

  /**
   * A write of `data` within one timeout: the first one reads the column's cap too; data over the
   * cap is refused here, never truncated.
   */
  private async sized<T>(data: Uint8Array, operation: string, query: (connection: PoolConnection) => Promise<T>): Promise<T> {
    const deadline = new Deadline(this.timeout);
    try {
      await this.cap.load(() => this.readDataColumn(deadline));
      this.cap.check(data.byteLength);
      return await this.run(operation, query, deadline);
    } catch (error) {
      const cause = (error as Error).cause as { code?: unknown } | undefined;
      if (cause?.code === 'ER_DATA_TOO_LONG') throw this.cap.tooBig(data.byteLength, cause);
      throw error;
    } finally {
      deadline.clear();
    }
  }

  private async readDataColumn(deadline: Deadline): Promise<DataColumn | undefined> {
    const [rows] = await this.run('commit', (c) => c.execute<ColumnRow[]>(DATA_COLUMN_SQL, [this.name.schema ?? null, this.name.name]), deadline);
    return rows[0];
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
