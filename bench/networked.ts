// The HTTP suite's Redis and PostgreSQL: reachability, a fresh key prefix and table per run, cleanup afterwards.
import { randomBytes } from 'node:crypto';
import type { Peer } from './peers.js';

export const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const PG_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

function message(error: unknown): string {
  return error instanceof Error ? error.message.split('\n')[0]! : String(error);
}

export interface Networked {
  /** Environment for a peer (its own key prefix under the run's, the run's table), or why it cannot run. */
  env(peer: Peer): Record<string, string> | { skip: string };
  /** Deletes every key under the run's prefix and drops the run's table. */
  cleanup(): Promise<void>;
}

/** Checks the servers the selected peers need and names this run's prefix and table. */
export async function prepareNetworked(peers: Peer[]): Promise<Networked> {
  const id = randomBytes(4).toString('hex');
  const prefix = `sessionkit-bench-${id}:`;
  const table = `sessionkit_bench_${id}`;
  let redisSkip: string | undefined;
  let pgSkip: string | undefined;
  if (peers.some((p) => p.redis)) redisSkip = await checkRedis();
  if (peers.some((p) => p.postgres)) pgSkip = await checkPostgres();
  return {
    env(peer) {
      if (peer.redis && redisSkip !== undefined) return { skip: redisSkip };
      if (peer.postgres && pgSkip !== undefined) return { skip: pgSkip };
      const env: Record<string, string> = {};
      if (peer.redis) Object.assign(env, { REDIS_URL, KEY_PREFIX: `${prefix}${peer.id}:` });
      if (peer.postgres) Object.assign(env, { PG_URL, PG_TABLE: table });
      return env;
    },
    async cleanup() {
      if (peers.some((p) => p.redis) && redisSkip === undefined) await deleteKeys(prefix).catch(() => undefined);
      if (peers.some((p) => p.postgres) && pgSkip === undefined) await dropTable(table).catch(() => undefined);
    },
  };
}

async function redisClient() {
  const { Redis } = await import('ioredis');
  return new Redis(REDIS_URL, { lazyConnect: true, connectTimeout: 1000, maxRetriesPerRequest: 1, retryStrategy: () => null });
}

async function checkRedis(): Promise<string | undefined> {
  const client = await redisClient();
  try {
    await client.connect();
    await client.ping();
    return undefined;
  } catch (error) {
    return `Redis not reachable at ${REDIS_URL}: ${message(error)}`;
  } finally {
    client.disconnect();
  }
}

async function deleteKeys(prefix: string): Promise<void> {
  const client = await redisClient();
  try {
    await client.connect();
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      if (keys.length > 0) await client.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    client.disconnect();
  }
}

async function withPg<T>(run: (client: import('pg').Client) => Promise<T>): Promise<T> {
  const pg = (await import('pg')).default;
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 1000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return await run(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function checkPostgres(): Promise<string | undefined> {
  try {
    await withPg((client) => client.query('SELECT 1'));
    return undefined;
  } catch (error) {
    return `PostgreSQL not reachable at ${PG_URL}: ${message(error)}`;
  }
}

function dropTable(table: string): Promise<unknown> {
  // The table name is ours (letters, digits, _), made above.
  return withPg((client) => client.query(`DROP TABLE IF EXISTS "${table}"`));
}
