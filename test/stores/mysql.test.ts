import { inspect } from 'node:util';
import mysql, { type RowDataPacket } from 'mysql2/promise';
import { describe, expect, it } from 'vitest';
import { MySqlStore } from '../../src/stores/mysql.js';
import { storeConformance } from '../../src/testing/index.js';
import { generateToken } from '../../src/token.js';
import { sqlStoreBehaviours } from './support/sql-store-tests.js';
import { MARIADB } from './support/shared-servers.js';
import { later, sleep } from '../support/time.js';
import { mariaDbTables } from './support/databases.js';

const { pool, table, scsTable } = mariaDbTables('sessionkit_test'); // the SCS table's data is a BLOB, capped at 64 KiB

async function rowCount(token: string, on = table): Promise<number> {
  const [rows] = await pool.execute<RowDataPacket[]>(`SELECT 1 FROM \`${on}\` WHERE token = ?`, [token]);
  return rows.length;
}

storeConformance('MySqlStore', () => new MySqlStore({ pool, table }));

describe('MySqlStore', () => {
  it('creates the SCS schema with MEDIUMBLOB data and an index on expiry, plus user_id', async () => {
    const [columns] = await pool.query<RowDataPacket[]>(
      'SELECT COLUMN_NAME AS name, COLUMN_TYPE AS type, IS_NULLABLE AS nullable, COLUMN_KEY AS `key` FROM information_schema.COLUMNS ' +
        'WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION',
      [table],
    );
    expect(columns.map((c) => ({ ...c }))).toEqual([
      { name: 'token', type: 'char(43)', nullable: 'NO', key: 'PRI' },
      { name: 'data', type: 'mediumblob', nullable: 'NO', key: '' },
      { name: 'expiry', type: 'timestamp(6)', nullable: 'NO', key: 'MUL' },
      { name: 'user_id', type: 'varchar(255)', nullable: 'YES', key: 'MUL' },
    ]);
    await new MySqlStore({ pool, table, cleanupInterval: 0 }).createTable(); // idempotent
  });

  it('stores the expiry to the millisecond, and reads rows written by SCS', async () => {
    const store = new MySqlStore({ pool, table, cleanupInterval: 0 });
    const token = generateToken();
    const expiresAt = Date.now() + 12_345;
    await store.commit(token, Uint8Array.of(1), expiresAt);
    const [rows] = await pool.execute<RowDataPacket[]>(`SELECT CAST(UNIX_TIMESTAMP(expiry) * 1000 AS SIGNED) AS ms FROM \`${table}\` WHERE token = ?`, [token]);
    expect(Number(rows[0]!.ms)).toBe(expiresAt);
    const scs = generateToken();
    await pool.execute(`INSERT INTO \`${scsTable}\` (token, data, expiry) VALUES (?, ?, NOW(6) + INTERVAL 1 MINUTE)`, [scs, Buffer.from('scs')]);
    const onScs = new MySqlStore({ pool, table: scsTable, cleanupInterval: 0 });
    expect(Buffer.from((await onScs.find(scs))!).toString()).toBe('scs');
  });

  it('keeps tokens that differ only in case apart', async () => {
    const store = new MySqlStore({ pool, table, cleanupInterval: 0 });
    const lower = `a${generateToken().slice(1)}`;
    const upper = `A${lower.slice(1)}`;
    await store.commit(lower, Uint8Array.of(1), later());
    expect(await store.find(upper)).toBeUndefined();
    await store.commit(upper, Uint8Array.of(2), later());
    expect(await store.find(lower)).toEqual(Uint8Array.of(1));
    expect(await store.find(upper)).toEqual(Uint8Array.of(2));
  });

  it('refuses a session over the cap of a BLOB column made by SCS with a clear error, and never truncates', async () => {
    const store = new MySqlStore({ pool, table: scsTable, cleanupInterval: 0 });
    const fits = generateToken();
    const fitting = new Uint8Array(65_535).fill(7);
    await store.commit(fits, fitting, later());
    expect((await store.find(fits))?.length).toBe(65_535);
    const token = generateToken();
    const error = await store.commit(token, new Uint8Array(65_536), later()).then(
      () => undefined,
      (caught: Error) => caught,
    );
    expect(error?.message).toMatch(/^sessionkit: mysql store: commit failed: the session is 65536 bytes, over the cap of 65535 bytes \(blob\)/);
    expect(error?.message).toMatch(/MODIFY data MEDIUMBLOB NOT NULL \(16 MiB\), or keep sessions smaller \(the manager's maxSessionBytes/);
    expect(await rowCount(token, scsTable)).toBe(0);
  });

  it('refuses a session over the cap of a MEDIUMBLOB column without suggesting MEDIUMBLOB', async () => {
    const store = new MySqlStore({ pool, table, cleanupInterval: 0 });
    const token = generateToken();
    const error = await store.commit(token, new Uint8Array(2 ** 24), later()).then(
      () => undefined,
      (caught: Error) => caught,
    );
    expect(error?.message).toMatch(/^sessionkit: mysql store: commit failed: the session is 16777216 bytes, over the cap of 16777215 bytes \(mediumblob\)/);
    expect(error?.message).not.toMatch(/MODIFY data MEDIUMBLOB/);
    expect(error?.message).toMatch(/keep sessions smaller \(the manager's maxSessionBytes option .*\); a LONGBLOB column .* max_allowed_packet/);
    expect(await rowCount(token)).toBe(0);
  });

  it('keeps the session data out of the error and its cause (MySQL quotes the value it refused in its message)', async () => {
    const text = `${table}_text`; // a hand-made table whose data column is TEXT: MySQL refuses bytes that are not UTF-8
    await pool.query(`CREATE TABLE \`${text}\` (token CHAR(43) PRIMARY KEY, data TEXT CHARACTER SET utf8mb4 NOT NULL, expiry TIMESTAMP(6) NOT NULL)`);
    try {
      const store = new MySqlStore({ pool, table: text, cleanupInterval: 0 });
      const token = generateToken();
      const data = Uint8Array.from([0x81, 0xa4, ...new TextEncoder().encode('alice')]);
      const error = await store.commit(token, data, later()).then(
        () => undefined,
        (caught: Error) => caught,
      );
      expect(error?.message).toBe('sessionkit: mysql store: commit failed');
      expect(error?.cause).toMatchObject({ code: 'ER_TRUNCATED_WRONG_VALUE_FOR_FIELD' });
      const shown = inspect(error, { depth: 10 });
      expect(shown).not.toContain(token);
      expect(shown).not.toContain('alice');
      expect(shown).not.toContain('INSERT');
    } finally {
      await pool.query(`DROP TABLE IF EXISTS \`${text}\``);
    }
  });

  it('refuses an oversized session even when the connection is not in strict mode', async () => {
    const lax = mysql.createPool({ ...MARIADB, connectionLimit: 1 });
    try {
      await lax.query("SET SESSION sql_mode = ''"); // one connection: the setting sticks; the server would now truncate
      const store = new MySqlStore({ pool: lax, table: scsTable, cleanupInterval: 0 });
      const token = generateToken();
      await expect(store.commit(token, new Uint8Array(70_000), later())).rejects.toThrow(/over the cap of 65535 bytes/);
      expect(await rowCount(token, scsTable)).toBe(0);
    } finally {
      await lax.end();
    }
  });

  sqlStoreBehaviours(() => ({ makeStore: () => new MySqlStore({ pool, table, cleanupInterval: 0 }), rowCount }));

  it('deletes expired rows on its cleanup timer, and stops when closed', async () => {
    const expired = generateToken();
    const live = generateToken();
    const insert = (token: string, seconds: number) =>
      pool.execute(`INSERT INTO \`${table}\` (token, data, expiry) VALUES (?, 'x', NOW(6) + INTERVAL ? SECOND)`, [token, seconds]);
    await insert(expired, -1);
    await insert(live, 60);
    const store = new MySqlStore({ pool, table, cleanupInterval: 20 });
    await sleep(150);
    expect(await rowCount(expired)).toBe(0);
    expect(await rowCount(live)).toBe(1);
    await store.close();
    const after = generateToken();
    await insert(after, -1);
    await sleep(150);
    expect(await rowCount(after)).toBe(1);
    expect(await new MySqlStore({ pool, table, cleanupInterval: 0 }).cleanup()).toBeGreaterThanOrEqual(1);
    expect(await rowCount(after)).toBe(0);
  });

  it('accepts database.table', async () => {
    const store = new MySqlStore({ pool, table: `${MARIADB.database}.${table}`, cleanupInterval: 0 });
    const token = generateToken();
    await store.commit(token, Uint8Array.of(9), later());
    expect(await store.find(token)).toEqual(Uint8Array.of(9));
  });

  it('refuses a table name that could become SQL, and other bad options, with a TypeError naming the option', () => {
    for (const bad of ['sessions; DROP TABLE x', 'a`b', '1abc', 'a.b.c', '', 'sessions--', 'a b', 42]) {
      expect(() => new MySqlStore({ pool, table: bad as string })).toThrow(/option table/);
      expect(() => MySqlStore.schemaSql(bad as string)).toThrow(TypeError);
    }
    expect(() => new MySqlStore({} as never)).toThrow(/option pool/);
    expect(() => new MySqlStore({ pool, cleanupInterval: -1 })).toThrow(/option cleanupInterval/);
  });

  it('close() leaves the pool open: it belongs to the caller', async () => {
    const store = new MySqlStore({ pool, table });
    await store.close();
    const [rows] = await pool.query<RowDataPacket[]>('SELECT 1 AS one');
    expect(rows[0]!.one).toBe(1);
  });
});
