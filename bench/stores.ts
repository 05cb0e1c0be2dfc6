// Store factories for the benchmarks: the ones the machine can run, and a skip note for the rest.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MemoryStore } from '../src/memory-store.js';
import type { Store } from '../src/store.js';

export const STORE_NAMES = ['memory', 'lmdb', 'lmdb-nolru', 'redis', 'postgres', 'mysql'] as const;
export type StoreName = (typeof STORE_NAMES)[number];

export const STORE_LABELS: Record<StoreName, string> = {
  memory: 'MemoryStore',
  lmdb: 'LmdbStore (LRU)',
  'lmdb-nolru': 'LmdbStore (no LRU)',
  redis: 'RedisStore',
  postgres: 'PostgresStore',
  mysql: 'MySqlStore',
};

export interface OpenedStore {
  store: Store;
  /** Releases the store and whatever the bench opened for it (client, pool, temp dir). */
  close(): Promise<void>;
}

export type StoreResult = OpenedStore | { skip: string };

const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const PG_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const MYSQL_URL = process.env.BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test';
const TABLE = 'sessionkit_bench';

type Module = Record<string, unknown>;
type StoreClass = new (options: Record<string, unknown>) => Store;

/** Imports a project module by path from the repo root when the file exists (work in progress lands over time). */
async function importIfPresent(path: string): Promise<Module | undefined> {
  const file = fileURLToPath(new URL(`../${path}`, import.meta.url));
  if (!existsSync(file)) return undefined;
  return (await import(file)) as Module;
}

function storeClass(module: Module | undefined, name: string): StoreClass | undefined {
  const value = module?.[name];
  return typeof value === 'function' ? (value as StoreClass) : undefined;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message.split('\n')[0]! : String(error);
}

/** Opens the named store, or says why it cannot run here. */
export async function openStore(name: StoreName): Promise<StoreResult> {
  switch (name) {
    case 'memory': {
      const store = new MemoryStore({ maxEntries: 1_000_000, sweepInterval: 0 });
      return { store, close: async () => store.close() };
    }
    case 'lmdb':
    case 'lmdb-nolru':
      return openLmdb(name === 'lmdb');
    case 'redis':
      return openRedis();
    case 'postgres':
      return openPostgres();
    case 'mysql':
      return openMySql();
  }
}

/**
 * LmdbStore in a fresh temp dir. `cache` is the LRU tier's option; the bench passes 0 for
 * "no LRU" and leaves the default otherwise.
 */
export async function openLmdb(withCache: boolean, path?: string): Promise<StoreResult> {
  const LmdbStore = storeClass(await importIfPresent('native-store/index.ts'), 'LmdbStore');
  if (LmdbStore === undefined) return { skip: 'native-store/index.ts (LmdbStore) not present yet' };
  const dir = path ?? mkdtempSync(join(tmpdir(), 'sessionkit-bench-lmdb-'));
  try {
    const options: Record<string, unknown> = { path: dir, sweepInterval: 0 };
    if (!withCache) options.cache = 0;
    const store = new LmdbStore(options);
    return {
      store,
      close: async () => {
        await store.close?.();
        if (path === undefined) rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    return { skip: `LmdbStore failed to open: ${message(error)}` };
  }
}

async function openRedis(): Promise<StoreResult> {
  const RedisStore = storeClass(await importIfPresent('src/stores/redis.ts'), 'RedisStore');
  if (RedisStore === undefined) return { skip: 'src/stores/redis.ts (RedisStore) not present yet' };
  const { Redis } = await import('ioredis');
  const client = new Redis(REDIS_URL, { lazyConnect: true, connectTimeout: 1000, maxRetriesPerRequest: 1, retryStrategy: () => null });
  try {
    await client.connect();
    await client.ping();
  } catch (error) {
    client.disconnect();
    return { skip: `Redis not reachable at ${REDIS_URL}: ${message(error)}` };
  }
  const store = new RedisStore({ client, prefix: 'sessionkit-bench:' });
  return {
    store,
    close: async () => {
      await store.close?.();
      await client.quit();
    },
  };
}

async function openPostgres(): Promise<StoreResult> {
  const PostgresStore = storeClass(await importIfPresent('src/stores/postgres.ts'), 'PostgresStore');
  if (PostgresStore === undefined) return { skip: 'src/stores/postgres.ts (PostgresStore) not present yet' };
  const pg = (await import('pg')).default;
  const pool = new pg.Pool({ connectionString: PG_URL, max: 4, connectionTimeoutMillis: 1000 });
  try {
    await pool.query(
      `CREATE TABLE IF NOT EXISTS ${TABLE} (token TEXT PRIMARY KEY, data BYTEA NOT NULL, expiry TIMESTAMPTZ NOT NULL)`,
    );
    await pool.query(`CREATE INDEX IF NOT EXISTS ${TABLE}_expiry_idx ON ${TABLE} (expiry)`);
  } catch (error) {
    await pool.end().catch(() => undefined);
    return { skip: `PostgreSQL not reachable at ${PG_URL}: ${message(error)}` };
  }
  const store = new PostgresStore({ pool, table: TABLE, cleanupInterval: 0 });
  return {
    store,
    close: async () => {
      await store.close?.();
      await pool.end();
    },
  };
}

async function openMySql(): Promise<StoreResult> {
  const MySqlStore = storeClass(await importIfPresent('src/stores/mysql.ts'), 'MySqlStore');
  if (MySqlStore === undefined) return { skip: 'src/stores/mysql.ts (MySqlStore) not present yet' };
  const mysql = await import('mysql2/promise');
  const pool = mysql.createPool({ uri: MYSQL_URL, connectionLimit: 4, connectTimeout: 1000 });
  try {
    await pool.query(
      `CREATE TABLE IF NOT EXISTS ${TABLE} (token CHAR(43) PRIMARY KEY, data MEDIUMBLOB NOT NULL, expiry TIMESTAMP(6) NOT NULL, INDEX ${TABLE}_expiry_idx (expiry))`,
    );
  } catch (error) {
    await pool.end().catch(() => undefined);
    return { skip: `MySQL not reachable at ${MYSQL_URL}: ${message(error)}` };
  }
  const store = new MySqlStore({ pool, table: TABLE, cleanupInterval: 0 });
  return {
    store,
    close: async () => {
      await store.close?.();
      await pool.end();
    },
  };
}
