// uWebSockets.js + sessionkit/uws on the quick start's routes; STORE=memory (default), lmdb (in DATA_DIR), redis, redis-near (RedisStore with its near cache) or postgres; MERGE=off commits last-writer-wins.
// LMDB_OPTIONS: JSON of extra LmdbStore options (how a peer row selects an LmdbStore mode, see bench/peers.ts).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import uWS from 'uWebSockets.js';
import { LmdbStore } from '../../native-store/index.js';
import { uwsSessions } from '../../src/adapters/uws.js';
import { MemoryStore, SessionManager, type Store } from '../../src/index.js';
import { withoutCommitIf } from '../merge-off.js';

const port = Number(process.env.PORT ?? 4000);

async function openStore(): Promise<Store> {
  switch (process.env.STORE) {
    case 'lmdb':
      return new LmdbStore({
        ...(JSON.parse(process.env.LMDB_OPTIONS ?? '{}') as object),
        path: process.env.DATA_DIR ?? mkdtempSync(join(tmpdir(), 'sessionkit-peer-lmdb-')),
      });
    case 'redis':
    case 'redis-near': {
      const { Redis } = await import('ioredis');
      const { RedisStore } = await import('../../src/stores/redis.js');
      const client = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: 1 });
      const nearCache = process.env.STORE === 'redis-near';
      const store = new RedisStore({ client, prefix: process.env.KEY_PREFIX ?? 'sessionkit-bench:', nearCache });
      // The near cache serves entries only once tracking is up: wait for it, so the run measures the cache.
      while (nearCache && !store.nearCacheStats()?.tracking) await new Promise((resolve) => setTimeout(resolve, 10));
      return store;
    }
    case 'postgres': {
      const pg = (await import('pg')).default;
      const { PostgresStore } = await import('../../src/stores/postgres.js');
      // As many connections as the load keeps requests in flight, so the pool is not the bottleneck.
      const pool = new pg.Pool({ connectionString: process.env.PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test', max: 64 });
      const store = new PostgresStore({ pool, table: process.env.PG_TABLE ?? 'sessionkit_bench_http', cleanupInterval: 0 });
      await store.createTable();
      return store;
    }
    default:
      return new MemoryStore();
  }
}

const opened = await openStore();
const sessions = new SessionManager<{ message: string }>({ store: process.env.MERGE === 'off' ? withoutCommitIf(opened) : opened });
const withSession = uwsSessions(sessions);

uWS
  .App()
  .get(
    '/put',
    withSession((res, _req, session) => {
      session.put('message', 'Hello from a session!');
      res.end();
    }),
  )
  .get(
    '/get',
    withSession((res, _req, session) => {
      res.writeHeader('Content-Type', 'text/plain; charset=utf-8').end(session.getString('message'));
    }),
  )
  .listen('127.0.0.1', port, (socket) => {
    if (!socket) process.exit(1);
    console.log('ready');
  });

// Exit on SIGTERM/SIGINT so that `node --cpu-prof` writes its profile (bench/profile.mjs).
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => process.exit(0));
