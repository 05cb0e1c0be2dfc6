// Per-file database fixtures: a pool or client on the shared server, a random table or key prefix, cleaned up after the file.
import type { Redis } from 'ioredis';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import { MySqlStore } from '../../../src/stores/mysql.js';
import { PostgresStore } from '../../../src/stores/postgres.js';
import { randomSuffix } from './processes.js';
import { redisClients, type RedisClientLibrary } from './redis-clients.js';
import { MARIADB, POSTGRES, REDIS, requireMariaDb, requirePostgres, requireRedis } from './shared-servers.js';

/**
 * A MariaDB pool (it connects on first use) and a table `<prefix>_<random>` made by MySqlStore,
 * with `<table>_scs` beside it made with SCS's own DDL (data BLOB, no user_id); both dropped after the file.
 */
export function mariaDbTables(prefix: string): { pool: mysql.Pool; table: string; scsTable: string } {
  const table = `${prefix}_${randomSuffix()}`;
  const scsTable = `${table}_scs`;
  const pool = mysql.createPool({ ...MARIADB, connectionLimit: 10, connectTimeout: 5000 });
  let reachable = false;
  beforeAll(async () => {
    await requireMariaDb();
    reachable = true;
    await new MySqlStore({ pool, table, cleanupInterval: 0 }).createTable();
    await pool.query(`CREATE TABLE \`${scsTable}\` (token CHAR(43) PRIMARY KEY, data BLOB NOT NULL, expiry TIMESTAMP(6) NOT NULL)`);
    await pool.query(`CREATE INDEX \`${scsTable}_expiry_idx\` ON \`${scsTable}\` (expiry)`);
  });
  afterAll(async () => {
    if (reachable) await pool.query(`DROP TABLE IF EXISTS \`${table}\`, \`${scsTable}\``);
    await pool.end();
  });
  return { pool, table, scsTable };
}

/** A PostgreSQL pool (it connects on first use) and a table `<prefix>_<random>` made by PostgresStore; it and `<table>_scs` dropped after the file. */
export function postgresTables(prefix: string): { pool: pg.Pool; table: string; scsTable: string } {
  const table = `${prefix}_${randomSuffix()}`;
  const scsTable = `${table}_scs`;
  const pool = new pg.Pool({ ...POSTGRES, max: 10, connectionTimeoutMillis: 5000 });
  pool.on('error', () => {});
  let reachable = false;
  beforeAll(async () => {
    await requirePostgres();
    reachable = true;
    await new PostgresStore({ pool, table, cleanupInterval: 0 }).createTable();
  });
  afterAll(async () => {
    if (reachable) await pool.query(`DROP TABLE IF EXISTS "${table}", "${scsTable}"`);
    await pool.end();
  });
  return { pool, table, scsTable };
}

/**
 * A Redis client of `library` (connected before the tests) and a key prefix `sessionkit-test:<random>:`;
 * the keys are removed after the enclosing describe block (or the file).
 */
export function redisKeys(library: RedisClientLibrary = redisClients[0]!): { client: Redis; run: string; prefix: string } {
  const run = `sessionkit-test:${randomSuffix()}`; // every key the file writes starts with it
  const client = new library.Redis({ ...REDIS, lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: false, commandTimeout: 5000 });
  let connected = false;
  beforeAll(async () => {
    await requireRedis();
    await client.connect(); // without the offline queue, commands sent before 'ready' fail
    connected = true;
  });
  afterAll(async () => {
    if (!connected) return client.disconnect();
    const keys = await client.keys(`${run}*`);
    if (keys.length > 0) await client.unlink(...keys);
    await client.quit();
  });
  return { client, run, prefix: `${run}:` };
}
