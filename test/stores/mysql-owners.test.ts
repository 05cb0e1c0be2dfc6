import mysql, { type RowDataPacket } from 'mysql2/promise';
import { describe, expect, it } from 'vitest';
import { MySqlStore } from '../../src/stores/mysql.js';
import { generateToken } from '../../src/token.js';
import { ownerStoreBehaviours } from './support/owner-store-tests.js';
import { randomSuffix } from './support/processes.js';
import { MARIADB } from './support/shared-servers.js';
import { recordingPool } from './support/recording-pool.js';
import { later, sleep } from '../support/time.js';
import { mariaDbTables } from './support/databases.js';

const { pool, table, scsTable } = mariaDbTables('sessionkit_owners');

/** A pool that records the SQL of every statement sent through it. */
describe('MySqlStore conditional commits and owner index', () => {
  ownerStoreBehaviours(() => new MySqlStore({ pool, table, cleanupInterval: 0 }));

  it('reports a conditional write of identical bytes also on a pool that counts changed rows only', async () => {
    const changedOnly = mysql.createPool({ ...MARIADB, connectionLimit: 2, flags: ['-FOUND_ROWS'] });
    try {
      const store = new MySqlStore({ pool: changedOnly, table, cleanupInterval: 0 });
      const token = generateToken();
      const expiresAt = later();
      await store.commit(token, Uint8Array.of(5), expiresAt, 'ida');
      expect(await store.commitIf(token, Uint8Array.of(5), Uint8Array.of(5), expiresAt, 'ida')).toBe(true);
      expect(await store.commitIf(token, Uint8Array.of(6), Uint8Array.of(5), expiresAt, 'ida')).toBe(false);
      const expired = generateToken();
      await store.commit(expired, Uint8Array.of(1), Date.now() + 30);
      await sleep(60);
      expect(await store.commitIf(expired, undefined, Uint8Array.of(1), expiresAt)).toBe(true);
    } finally {
      await changedOnly.end();
    }
  });

  it('creates user_id as utf8mb4 with a binary collation and an index on it', async () => {
    const [rows] = await pool.query<RowDataPacket[]>(
      'SELECT COLLATION_NAME AS collation FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND COLUMN_NAME = ?',
      [table, 'user_id'],
    );
    expect(rows[0]!.collation).toBe('utf8mb4_bin');
    const [indexes] = await pool.query<RowDataPacket[]>(`SHOW INDEX FROM \`${table}\` WHERE Column_name = 'user_id'`);
    expect(indexes.map((row) => row.Key_name)).toEqual([`${table}_user_id_idx`]);
  });

  it('finds an owner with one indexed query, never a scan of the table', async () => {
    const store = new MySqlStore({ pool, table, cleanupInterval: 0 });
    const owner = `scan-${randomSuffix()}`;
    const mine = [generateToken(), generateToken()];
    for (const token of mine) await store.commit(token, Uint8Array.of(1), later(), owner);
    await pool.query(
      `INSERT INTO \`${table}\` (token, data, expiry, user_id) WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 99) ` +
        `SELECT CONCAT('bulk', a.i * 100 + b.i), 'x', NOW(6) + INTERVAL 1 HOUR, IF(b.i % 3 = 0, NULL, CONCAT('u', (a.i * 100 + b.i) % 500)) FROM n a, n b`,
    );
    await pool.query(`ANALYZE TABLE \`${table}\``);
    const texts: string[] = [];
    const spied = new MySqlStore({ pool: recordingPool(pool, texts), table, cleanupInterval: 0 });
    expect((await spied.findByOwner(owner)).map((entry) => entry.key).sort()).toEqual(mine.sort());
    expect(texts).toHaveLength(1);
    const [plan] = await pool.query<RowDataPacket[]>(`EXPLAIN ${texts[0]}`, [owner, Date.now()]);
    expect(plan).toHaveLength(1);
    expect(plan[0]!.key).toBe(`${table}_user_id_idx`);
    expect(Number(plan[0]!.rows)).toBeLessThan(100);
  });

  it("keeps a table made with SCS's own DDL working, and createTable() upgrades it in place", async () => {
    const scsCommit = (token: string, data: string) =>
      pool.execute(
        `INSERT INTO \`${scsTable}\` (token, data, expiry) VALUES (?, ?, FROM_UNIXTIME(?)) ON DUPLICATE KEY UPDATE data = VALUES(data), expiry = VALUES(expiry)`,
        [token, Buffer.from(data), Math.floor(Date.now() / 1000) + 60],
      );
    const scsFind = async (token: string) => {
      const [rows] = await pool.execute<RowDataPacket[]>(`SELECT data FROM \`${scsTable}\` WHERE token = ? AND UTC_TIMESTAMP(6) < expiry`, [token]);
      return (rows[0]?.data as Buffer | undefined)?.toString();
    };

    const store = new MySqlStore({ pool, table: scsTable, cleanupInterval: 0 });
    const before = generateToken();
    await scsCommit(before, 'scs-before');
    expect(await store.commitIf(before, Buffer.from('scs-before'), Buffer.from('merged'), later())).toBe(true); // no owner: no user_id needed
    expect(await store.commitIf(generateToken(), undefined, Uint8Array.of(1), later())).toBe(true);
    await expect(store.findByOwner('ann')).rejects.toThrow(/^sessionkit: mysql store: findByOwner failed$/);
    await expect(store.commitIf(generateToken(), undefined, new Uint8Array(65_536), later())).rejects.toThrow(/over the cap of 65535 bytes/);

    await store.createTable();
    await store.createTable(); // idempotent
    const [columns] = await pool.query<RowDataPacket[]>(`SHOW COLUMNS FROM \`${scsTable}\``);
    expect(columns.map((c) => `${c.Field} ${c.Type}`)).toEqual(['token char(43)', 'data blob', 'expiry timestamp(6)', 'user_id varchar(255)']);
    expect(Buffer.from((await store.find(before))!).toString()).toBe('merged'); // a row without user_id reads as before
    const owned = generateToken();
    await store.commit(owned, Buffer.from('mine'), later(), 'ann');
    await scsCommit(owned, 'scs-after'); // SCS never names user_id: its upsert keeps the owner
    expect(await scsFind(owned)).toBe('scs-after');
    expect((await store.findByOwner('ann')).map((entry) => Buffer.from(entry.data).toString())).toEqual(['scs-after']);
    const scsRow = generateToken();
    await scsCommit(scsRow, 'scs-row');
    expect(Buffer.from((await store.find(scsRow))!).toString()).toBe('scs-row');
    expect(await store.commitIf(scsRow, Buffer.from('scs-row'), Buffer.from('ours'), later(), 'ann')).toBe(true);
    expect((await store.findByOwner('ann')).length).toBe(2);
    await expect(store.commitIf(scsRow, Buffer.from('ours'), new Uint8Array(65_536), later(), 'ann')).rejects.toThrow(/over the cap of 65535 bytes/);
    expect(Buffer.from((await store.find(scsRow))!).toString()).toBe('ours');
  });
});
