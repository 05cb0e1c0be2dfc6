// Store factories for the benchmarks: the ones the machine can run, and a skip note for the rest.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LmdbStore } from '../native-store/index.js';
import { MemoryStore } from '../src/memory-store.js';
import type { Store } from '../src/store.js';
import { MySqlStore } from '../src/stores/mysql.js';
import { PostgresStore } from '../src/stores/postgres.js';
import { RedisStore } from '../src/stores/redis.js';
import { MYSQL_URL, PG_URL, REDIS_URL } from './networked.js';
import { runKeyPrefix, runTable } from './run-scope.js';

export const STORE_NAMES = ['memory', 'lmdb', 'lmdb-nolru', 'redis', 'redis-near', 'postgres', 'mysql'] as const;
export type StoreName = (typeof STORE_NAMES)[number];

export const STORE_LABELS: Record<StoreName, string> = {
  memory: 'MemoryStore',
  lmdb: 'LmdbStore (LRU)',
  'lmdb-nolru': 'LmdbStore (no LRU)',
  redis: 'RedisStore',
  'redis-near': 'RedisStore (near cache)',
  postgres: 'PostgresStore',
  mysql: 'MySqlStore',
};

export interface OpenedStore {
  store: Store;
  /** Releases the store and whatever the bench opened for it (client, pool, temp dir). */
  close(): Promise<void>;
}

export type StoreResult = OpenedStore | { skip: string };

function message(error: unknown): string {
  return error instanceof Error ? error.message.split('\n')[0]! : String(error);
}

/** A SQL store on the bench table, created with the store's own DDL; a skip note when the server does not answer. */
async function openSql(label: string, url: string, store: PostgresStore | MySqlStore, endPool: () => Promise<unknown>): Promise<StoreResult> {
  try {
    await store.createTable();
  } catch (error) {
    await store.close();
    await endPool().catch(() => undefined);
    return { skip: `${label} not reachable at ${url}: ${message((error as { cause?: unknown }).cause ?? error)}` };
  }
  return {
    store,
    close: async () => {
      await store.close();
      await endPool();
    },
  };
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
      return openRedis(false);
    case 'redis-near':
      return openRedis(true);
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
  const dir = path ?? mkdtempSync(join(tmpdir(), 'sessionkit-bench-lmdb-'));
  try {
    const store = new LmdbStore(withCache ? { path: dir, sweepInterval: 0 } : { path: dir, sweepInterval: 0, cache: 0 });
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

async function openRedis(nearCache: boolean): Promise<StoreResult> {
  const { Redis } = await import('ioredis');
  const client = new Redis(REDIS_URL, { lazyConnect: true, connectTimeout: 1000, maxRetriesPerRequest: 1, retryStrategy: () => null });
  try {
    await client.connect();
    await client.ping();
  } catch (error) {
    client.disconnect();
    return { skip: `Redis not reachable at ${REDIS_URL}: ${message(error)}` };
  }
  const store = new RedisStore({ client, prefix: `${runKeyPrefix()}cycle:`, nearCache });
  // The near cache serves nothing until its tracking is up (it connects in the background).
  for (let i = 0; nearCache && i < 500 && !store.nearCacheStats()?.tracking; i++) await new Promise((resolve) => setTimeout(resolve, 10));
  return {
    store,
    close: async () => {
      await store.close?.();
      await client.quit();
    },
  };
}

async function openPostgres(): Promise<StoreResult> {
  const pg = (await import('pg')).default;
  const pool = new pg.Pool({ connectionString: PG_URL, max: 4, connectionTimeoutMillis: 1000 });
  pool.on('error', () => undefined);
  return openSql('PostgreSQL', PG_URL, new PostgresStore({ pool, table: runTable(), cleanupInterval: 0 }), () => pool.end());
}

async function openMySql(): Promise<StoreResult> {
  const mysql = await import('mysql2/promise');
  const pool = mysql.createPool({ uri: MYSQL_URL, connectionLimit: 4, connectTimeout: 1000 });
  return openSql('MySQL', MYSQL_URL, new MySqlStore({ pool, table: runTable(), cleanupInterval: 0 }), () => pool.end());
}
