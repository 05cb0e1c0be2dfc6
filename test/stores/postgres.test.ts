import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { PostgresStore } from '../../src/stores/postgres.js';
import { storeConformance } from '../../src/testing/index.js';
import { generateToken } from '../../src/token.js';
import { sqlStoreBehaviours } from './support/sql-store-tests.js';
import { later, sleep } from '../support/time.js';
import { postgresTables } from './support/databases.js';

const { pool, table } = postgresTables('sessionkit_test');

async function rowCount(token: string): Promise<number> {
  return (await pool.query(`SELECT 1 FROM "${table}" WHERE token = $1`, [token])).rowCount ?? 0;
}

storeConformance('PostgresStore', () => new PostgresStore({ pool, table }));

describe('PostgresStore', () => {
  it('creates the SCS schema (token TEXT PRIMARY KEY, data BYTEA, expiry TIMESTAMPTZ, an index on expiry) plus user_id', async () => {
    const { rows } = await pool.query(
      'SELECT column_name, data_type, is_nullable FROM information_schema.columns WHERE table_name = $1 ORDER BY ordinal_position',
      [table],
    );
    expect(rows).toEqual([
      { column_name: 'token', data_type: 'text', is_nullable: 'NO' },
      { column_name: 'data', data_type: 'bytea', is_nullable: 'NO' },
      { column_name: 'expiry', data_type: 'timestamp with time zone', is_nullable: 'NO' },
      { column_name: 'user_id', data_type: 'text', is_nullable: 'YES' },
    ]);
    const indexes = (await pool.query('SELECT indexdef FROM pg_indexes WHERE tablename = $1', [table])).rows.map((r) => r.indexdef as string);
    expect(indexes.some((def) => /UNIQUE INDEX .* \(token\)/.test(def))).toBe(true);
    expect(indexes.some((def) => def.includes(`"${table}_expiry_idx"`) || def.includes(`${table}_expiry_idx ON`))).toBe(true);
    await new PostgresStore({ pool, table, cleanupInterval: 0 }).createTable(); // idempotent
  });

  it('stores the expiry to the millisecond, and reads rows written by SCS', async () => {
    const store = new PostgresStore({ pool, table, cleanupInterval: 0 });
    const token = generateToken();
    const expiresAt = Date.now() + 12_345;
    await store.commit(token, Uint8Array.of(1), expiresAt);
    const { rows } = await pool.query(`SELECT (extract(epoch FROM expiry) * 1000)::bigint AS ms FROM "${table}" WHERE token = $1`, [token]);
    expect(Number(rows[0].ms)).toBe(expiresAt);
    const scs = generateToken();
    await pool.query(`INSERT INTO "${table}" (token, data, expiry) VALUES ($1, $2, now() + interval '1 minute')`, [scs, Buffer.from('scs')]);
    expect(Buffer.from((await store.find(scs))!).toString()).toBe('scs');
  });

  sqlStoreBehaviours(() => ({ makeStore: () => new PostgresStore({ pool, table, cleanupInterval: 0 }), rowCount }));

  it('deletes expired rows on its cleanup timer, and stops when closed', async () => {
    const expired = generateToken();
    const live = generateToken();
    const insert = (token: string, expiry: string) =>
      pool.query(`INSERT INTO "${table}" (token, data, expiry) VALUES ($1, '\\x00', now() + $2::interval)`, [token, expiry]);
    await insert(expired, '-1 second');
    await insert(live, '1 minute');
    const store = new PostgresStore({ pool, table, cleanupInterval: 20 });
    await sleep(150);
    expect(await rowCount(expired)).toBe(0);
    expect(await rowCount(live)).toBe(1);
    await store.close();
    const after = generateToken();
    await insert(after, '-1 second');
    await sleep(150);
    expect(await rowCount(after)).toBe(1);
    expect(await new PostgresStore({ pool, table, cleanupInterval: 0 }).cleanup()).toBeGreaterThanOrEqual(1);
    expect(await rowCount(after)).toBe(0);
  });

  it('keeps the token and the session data out of the error and its cause (pg puts the failing row in detail)', async () => {
    const checked = `${table}_checked`;
    await pool.query(`CREATE TABLE "${checked}" (token TEXT PRIMARY KEY, data BYTEA NOT NULL CHECK (octet_length(data) < 3), expiry TIMESTAMPTZ NOT NULL)`);
    try {
      const store = new PostgresStore({ pool, table: checked, cleanupInterval: 0 });
      const token = generateToken();
      const data = new TextEncoder().encode('user=alice@example.com');
      const error = await store.commit(token, data, later()).then(
        () => undefined,
        (caught: Error) => caught,
      );
      expect(error?.message).toBe('sessionkit: postgres store: commit failed');
      expect(error?.cause).toMatchObject({ code: '23514' });
      const shown = inspect(error, { depth: 10 });
      expect(shown).not.toContain(token);
      expect(shown).not.toContain(Buffer.from(data).toString('hex'));
      expect(shown).not.toContain('alice');
    } finally {
      await pool.query(`DROP TABLE IF EXISTS "${checked}"`);
    }
  });

  it('accepts schema.table', async () => {
    const store = new PostgresStore({ pool, table: `public.${table}`, cleanupInterval: 0 });
    const token = generateToken();
    await store.commit(token, Uint8Array.of(9), later());
    expect(await store.find(token)).toEqual(Uint8Array.of(9));
  });

  it('refuses a table name that could become SQL, and other bad options, with a TypeError naming the option', () => {
    for (const bad of ['sessions; DROP TABLE x', 'a"b', '1abc', 'a.b.c', '', 'sessions--', 'a b', 42]) {
      expect(() => new PostgresStore({ pool, table: bad as string })).toThrow(/option table/);
      expect(() => PostgresStore.schemaSql(bad as string)).toThrow(TypeError);
    }
    expect(() => new PostgresStore({} as never)).toThrow(/option pool/);
    expect(() => new PostgresStore({ pool, cleanupInterval: -1 })).toThrow(/option cleanupInterval/);
    expect(() => new PostgresStore({ pool, cleanupInterval: Number.NaN })).toThrow(/option cleanupInterval/);
  });

  it('close() leaves the pool open: it belongs to the caller', async () => {
    const store = new PostgresStore({ pool, table });
    await store.close();
    expect((await pool.query('SELECT 1 AS one')).rows[0].one).toBe(1);
    expect(pool.ended).toBe(false);
  });
});
