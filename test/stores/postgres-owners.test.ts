import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { SessionManager } from '../../src/index.js';
import { PostgresStore } from '../../src/stores/postgres.js';
import { generateToken } from '../../src/token.js';
import { ownerStoreBehaviours } from './support/owner-store-tests.js';
import { randomSuffix } from './support/processes.js';
import { POSTGRES } from './support/shared-servers.js';
import { recordingPool } from './support/recording-pool.js';
import { later } from '../support/time.js';
import { postgresTables } from './support/databases.js';

const { pool, table, scsTable } = postgresTables('sessionkit_owners');

/** A pool that records the text of every query sent through it. */
describe('PostgresStore conditional commits and owner index', () => {
  ownerStoreBehaviours(() => new PostgresStore({ pool, table, cleanupInterval: 0 }));

  it('refuses a user id with NUL at login, before any write, and the session still commits', async () => {
    const manager = new SessionManager({ store: new PostgresStore({ pool, table, cleanupInterval: 0 }) });
    const session = await manager.load();
    session.put('device', 'laptop');
    await expect(session.login('ada\u0000admin')).rejects.toThrow(TypeError);
    await expect(manager.listSessions('ada\u0000admin')).rejects.toThrow(TypeError);
    const owner = `nul-${randomSuffix()}`;
    await session.login(owner);
    const { token } = await manager.commit(session);
    expect(token).not.toBe('');
    expect((await manager.listSessions(owner)).map((entry) => entry.data)).toEqual([{ device: 'laptop' }]);
  });

  it('creates a nullable user_id column with a partial index on it', async () => {
    const { rows } = await pool.query("SELECT data_type, is_nullable FROM information_schema.columns WHERE table_name = $1 AND column_name = 'user_id'", [
      table,
    ]);
    expect(rows).toEqual([{ data_type: 'text', is_nullable: 'YES' }]);
    const indexes = (await pool.query('SELECT indexdef FROM pg_indexes WHERE tablename = $1', [table])).rows.map((r) => r.indexdef as string);
    expect(indexes.filter((def) => def.includes('(user_id) WHERE (user_id IS NOT NULL)'))).toHaveLength(1);
  });

  it('finds an owner with one indexed query, never a scan of the table', async () => {
    const store = new PostgresStore({ pool, table, cleanupInterval: 0 });
    const owner = `scan-${randomSuffix()}`;
    const mine = [generateToken(), generateToken()];
    for (const token of mine) await store.commit(token, Uint8Array.of(1), later(), owner);
    await pool.query(
      `INSERT INTO "${table}" (token, data, expiry, user_id) SELECT 'bulk' || i, '\\x00', now() + interval '1 hour', ` +
        `CASE WHEN i % 3 = 0 THEN NULL ELSE 'u' || (i % 500) END FROM generate_series(1, 20000) AS i`,
    );
    await pool.query(`ANALYZE "${table}"`);
    const texts: string[] = [];
    const spied = new PostgresStore({ pool: recordingPool(pool, texts), table, cleanupInterval: 0 });
    expect((await spied.findByOwner(owner)).map((entry) => entry.key).sort()).toEqual(mine.sort());
    expect(texts).toHaveLength(1);
    const client = await pool.connect();
    try {
      await client.query(`PREPARE owned(text, float8) AS ${texts[0]!.replace('$1', '$1::text').replace('$2', '$2::float8')}`);
      await client.query('SET plan_cache_mode = force_generic_plan'); // the plan a long-lived prepared statement ends up with
      const plan = (await client.query(`EXPLAIN EXECUTE owned('${owner}', ${Date.now()})`)).rows.map((r) => r['QUERY PLAN'] as string).join('\n');
      expect(plan).toMatch(new RegExp(`Index Scan (using|on) "?${table}_user_id_idx`));
      expect(plan).not.toMatch(/Seq Scan/);
    } finally {
      await client.query('DEALLOCATE ALL');
      await client.query('RESET plan_cache_mode');
      client.release();
    }
  });

  it("keeps a table made with SCS's own DDL working, and createTable() upgrades it in place", async () => {
    await pool.query(
      `CREATE TABLE "${scsTable}" (token TEXT PRIMARY KEY, data BYTEA NOT NULL, expiry TIMESTAMPTZ NOT NULL);` +
        `CREATE INDEX "${scsTable}_expiry_idx" ON "${scsTable}" (expiry);`,
    );
    const scsCommit = (token: string, data: string) =>
      pool.query(
        `INSERT INTO "${scsTable}" (token, data, expiry) VALUES ($1, $2, now() + interval '1 minute') ` +
          'ON CONFLICT (token) DO UPDATE SET data = EXCLUDED.data, expiry = EXCLUDED.expiry',
        [token, Buffer.from(data)],
      );
    const scsFind = async (token: string) =>
      (await pool.query(`SELECT data FROM "${scsTable}" WHERE token = $1 AND current_timestamp < expiry`, [token])).rows[0]?.data?.toString();

    const store = new PostgresStore({ pool, table: scsTable, cleanupInterval: 0 });
    const before = generateToken();
    await scsCommit(before, 'scs-before');
    expect(await store.commitIf(before, Buffer.from('scs-before'), Buffer.from('merged'), later())).toBe(true); // no owner: no user_id needed
    expect(await store.commitIf(generateToken(), undefined, Uint8Array.of(1), later())).toBe(true);
    await expect(store.findByOwner('ann')).rejects.toThrow(/^sessionkit: postgres store: findByOwner failed$/);

    await store.createTable();
    await store.createTable(); // idempotent
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
  });

  it('refuses a conditional commit that would revive a deleted row, across processes sharing the table', async () => {
    const a = new PostgresStore({ pool, table, cleanupInterval: 0 });
    const other = new pg.Pool({ ...POSTGRES, max: 2 });
    try {
      const b = new PostgresStore({ pool: other, table, cleanupInterval: 0 });
      const token = generateToken();
      await a.commit(token, Uint8Array.of(1), later(), 'ben');
      await b.delete(token);
      expect(await a.commitIf(token, Uint8Array.of(1), Uint8Array.of(2), later(), 'ben')).toBe(false);
      expect(await b.find(token)).toBeUndefined();
    } finally {
      await other.end();
    }
  });
});
