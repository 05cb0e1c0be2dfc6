// MySqlStore's SQL for conditional commits and the owner index: the user_id column, its DDL, and the statements that use it.
import type { Pool, PoolConnection, ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import { MAX_OWNER_LENGTH } from './owner.js';
import type { TableName } from './sql-options.js';

/** A TIMESTAMP(6) from ms since epoch passed as a parameter, as in every statement of the store. */
const AT = 'FROM_UNIXTIME(CAST(? AS SIGNED) / 1000)';

/** The column definition: user ids compared exactly (binary collation: `alice` is not `Alice`). */
export const USER_ID_COLUMN = `user_id VARCHAR(${MAX_OWNER_LENGTH}) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL`;

/** The name of the index on user_id for table `name` (MySQL caps names at 64 characters). */
export function userIdIndex(name: string): string {
  return `${name}_user_id_idx`.slice(0, 64);
}

/**
 * What upgrading a table made by SCS or an earlier sessionkit takes: the column and its index,
 * each only when missing (MySQL has no `ADD COLUMN IF NOT EXISTS`; the store checks
 * information_schema first).
 */
export function ownerDdl(quotedTable: string, name: string): { column: string; index: string } {
  return {
    column: `ALTER TABLE ${quotedTable} ADD COLUMN ${USER_ID_COLUMN}`,
    index: `ALTER TABLE ${quotedTable} ADD INDEX \`${userIdIndex(name)}\` (user_id)`,
  };
}

/**
 * The statements behind commitIf, commit with an owner and findByOwner. Those without an owner
 * never name `user_id`, so conditional commits work on an SCS table that has not been upgraded.
 */
export function ownerStatements(t: string) {
  const set = (owned: boolean) => `SET data = ?, expiry = ${AT}${owned ? ', user_id = ?' : ''}`;
  return {
    /** token, data, expiresAt, owner. */
    commitOwned:
      `INSERT INTO ${t} (token, data, expiry, user_id) VALUES (?, ?, ${AT}, ?) ` +
      'ON DUPLICATE KEY UPDATE data = VALUES(data), expiry = VALUES(expiry), user_id = VALUES(user_id)',
    /** data, expiresAt[, owner], token, expected, now. */
    replace: (owned: boolean) => `UPDATE ${t} ${set(owned)} WHERE token = ? AND data = ? AND expiry > ${AT}`,
    /** token, data, expiresAt[, owner]: fails with a duplicate key when a row exists, live or not. */
    insert: (owned: boolean) =>
      owned ? `INSERT INTO ${t} (token, data, expiry, user_id) VALUES (?, ?, ${AT}, ?)` : `INSERT INTO ${t} (token, data, expiry) VALUES (?, ?, ${AT})`,
    /** data, expiresAt[, owner], token, now: takes over a row that exists but has expired. */
    replaceExpired: (owned: boolean) => `UPDATE ${t} ${set(owned)} WHERE token = ? AND expiry <= ${AT}`,
    /** token, expected, now: a conditional commit whose expiry is already past. */
    deleteIf: `DELETE FROM ${t} WHERE token = ? AND data = ? AND expiry > ${AT}`,
    /** token, now. */
    live: `SELECT 1 AS live FROM ${t} WHERE token = ? AND expiry > ${AT}`,
    /** owner, now. Uses the index on user_id. */
    byOwner: `SELECT token, data, CAST(UNIX_TIMESTAMP(expiry) * 1000 AS SIGNED) AS expires_at FROM ${t} ` + `WHERE user_id = ? AND expiry > ${AT}`,
    /** schema or null for the current database, table name. */
    userIdState:
      "SELECT (SELECT COUNT(*) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = COALESCE(?, DATABASE()) AND TABLE_NAME = ? AND COLUMN_NAME = 'user_id') AS has_column, " +
      "(SELECT COUNT(*) FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = COALESCE(?, DATABASE()) AND TABLE_NAME = ? AND COLUMN_NAME = 'user_id') AS has_index",
  };
}

/**
 * Rows an UPDATE matched, whether or not it changed them. mysql2 connects with CLIENT_FOUND_ROWS
 * by default, so `affectedRows` counts matched rows; a pool built without that flag counts only
 * changed rows, and a conditional write of identical bytes changes nothing, so the server's
 * "Rows matched" is read when present.
 */
export function matchedRows(result: { affectedRows: number; info?: string }): number {
  const matched = /Rows matched:\s*(\d+)/i.exec(result.info ?? '');
  return matched === null ? result.affectedRows : Number(matched[1]);
}

interface UserIdState extends RowDataPacket {
  has_column: number | string;
  has_index: number | string;
}

/** Adds the `user_id` column and its index to `table` when missing; another process adding them at the same time is fine. */
export async function addUserId(pool: Pool | PoolConnection, name: TableName, quotedTable: string): Promise<void> {
  const schema = name.schema ?? null;
  const [rows] = await pool.query<UserIdState[]>(ownerStatements(quotedTable).userIdState, [schema, name.name, schema, name.name]);
  const ddl = ownerDdl(quotedTable, name.name);
  const add = async (sql: string, raced: string) => {
    try {
      await pool.query(sql);
    } catch (error) {
      if ((error as { code?: unknown }).code !== raced) throw error;
    }
  };
  if (Number(rows[0]?.has_column) === 0) await add(ddl.column, 'ER_DUP_FIELDNAME');
  if (Number(rows[0]?.has_index) === 0) await add(ddl.index, 'ER_DUP_KEYNAME');
}

/** Tries of insert-then-take-over-if-expired before a conditional insert gives up (another writer keeps deleting the row). */
const INSERT_TRIES = 3;

type Values = (string | number | Buffer)[];
type Statement = [sql: string, values: Values];

/**
 * Writes a row only if no live row holds its token: an INSERT (one round trip, the usual case
 * for a fresh token), and on a duplicate key an UPDATE that takes the row over only if it has
 * expired (the current time is appended to `takeOver`'s values). 0 rows there means the row is
 * live (false) or was deleted since the INSERT (then the INSERT is tried again).
 */
export async function insertIfAbsent(
  execute: (sql: string, values: Values) => Promise<[ResultSetHeader, unknown]>,
  [insertSql, insertValues]: Statement,
  [takeOverSql, takeOverValues]: Statement,
): Promise<boolean> {
  for (let i = 0; i < INSERT_TRIES; i++) {
    try {
      await execute(insertSql, insertValues);
      return true;
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'ER_DUP_ENTRY') throw error;
    }
    const [result] = await execute(takeOverSql, [...takeOverValues, Date.now()]);
    if (matchedRows(result) === 1) return true;
  }
  return false;
}
