// The stores of the acceptance tests: every shipped store on its real server (Redis single and a private three-master Cluster), each behind a spy that counts all().
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cluster, Redis } from 'ioredis';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { LmdbStore } from '../../../native-store/index.js';
import { MemoryStore } from '../../../src/index.js';
import { MySqlStore } from '../../../src/stores/mysql.js';
import { PostgresStore } from '../../../src/stores/postgres.js';
import { RedisStore } from '../../../src/stores/redis.js';
import type { Store } from '../../../src/store.js';
import { randomSuffix } from '../../stores/support/processes.js';
import { startRedisCluster, type RedisCluster } from '../../stores/support/redis-process.js';
import { MARIADB, POSTGRES, REDIS, requireMariaDb, requirePostgres, requireRedis } from '../../stores/support/shared-servers.js';
import { spyStore, type SpyStore } from '../../support/spy-store.js';

export const STORE_NAMES = ['MemoryStore', 'LmdbStore', 'Redis', 'Redis Cluster', 'PostgreSQL', 'MySQL'] as const;
export type StoreName = (typeof STORE_NAMES)[number];

/**
 * Opens each store on first use and closes everything in `close()`: one per file (call `open` in
 * tests, `close` in afterAll). Tables and key prefixes are random, so parallel files never collide.
 */
export class AcceptanceStores {
  #closers: (() => unknown)[] = [];
  #cluster: Promise<Cluster> | undefined;

  /** A fresh, empty store of that kind behind a spy. */
  async open(name: StoreName): Promise<SpyStore> {
    const store = await this.#make(name);
    this.#closers.push(() => store.close?.());
    return spyStore(store);
  }

  async close(): Promise<void> {
    for (const close of this.#closers.reverse()) await close();
    this.#closers = [];
  }

  async #make(name: StoreName): Promise<Store> {
    const prefix = `accept-${randomSuffix()}:`;
    switch (name) {
      case 'MemoryStore':
        return new MemoryStore({ sweepInterval: 0 });
      case 'LmdbStore': {
        const dir = mkdtempSync(join(tmpdir(), 'sessionkit-acceptance-'));
        this.#closers.push(() => rmSync(dir, { recursive: true, force: true }));
        return new LmdbStore({ path: dir, sweepInterval: 0 });
      }
      case 'Redis': {
        await requireRedis();
        const client = new Redis({ ...REDIS, maxRetriesPerRequest: 1 });
        this.#closers.push(() => client.quit());
        // Closers run last first: the keys this store wrote are removed before the client quits.
        this.#closers.push(async () => {
          const keys = await client.keys(`${prefix}*`);
          if (keys.length > 0) await client.unlink(...keys);
        });
        return new RedisStore({ client, prefix });
      }
      case 'Redis Cluster':
        return new RedisStore({ client: await this.#startCluster(), prefix });
      case 'PostgreSQL': {
        await requirePostgres();
        const pool = new pg.Pool({ ...POSTGRES, max: 5 }); // test files run in parallel against one server (100 connections)
        pool.on('error', () => {});
        const table = `accept_${randomSuffix()}`;
        this.#closers.push(async () => {
          await pool.query(`DROP TABLE IF EXISTS "${table}"`);
          await pool.end();
        });
        const store = new PostgresStore({ pool, table, cleanupInterval: 0 });
        await store.createTable();
        return store;
      }
      case 'MySQL': {
        await requireMariaDb();
        const pool = mysql.createPool({ ...MARIADB, connectionLimit: 5 });
        const table = `accept_${randomSuffix()}`;
        this.#closers.push(async () => {
          await pool.query(`DROP TABLE IF EXISTS \`${table}\``);
          await pool.end();
        });
        const store = new MySqlStore({ pool, table, cleanupInterval: 0 });
        await store.createTable();
        return store;
      }
    }
  }

  /** One private Cluster per file, started on first use. */
  #startCluster(): Promise<Cluster> {
    this.#cluster ??= (async () => {
      const cluster: RedisCluster = await startRedisCluster();
      const client = new Cluster(
        cluster.ports.map((port) => ({ host: '127.0.0.1', port })),
        { lazyConnect: true, redisOptions: { maxRetriesPerRequest: 1 } },
      );
      await client.connect();
      this.#closers.unshift(() => cluster.dispose());
      this.#closers.push(() => client.quit());
      return client;
    })();
    return this.#cluster;
  }
}
