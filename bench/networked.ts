// The bench's Redis, PostgreSQL and MySQL: reachability, the run's key prefix and table, and their removal.
import type { Peer } from './peers.js';
import { runKeyPrefix, runTable } from './run-scope.js';

export const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const PG_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const MYSQL_URL = process.env.BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test';

function message(error: unknown): string {
  return error instanceof Error ? error.message.split('\n')[0]! : String(error);
}

export interface Networked {
  /** Environment for a peer (its own key prefix under the run's, the run's table), or why it cannot run. */
  env(peer: Peer): Record<string, string> | { skip: string };
}

/** Checks the servers the selected peers need and names this run's prefix and table. */
export async function prepareNetworked(peers: Peer[]): Promise<Networked> {
  const prefix = `${runKeyPrefix()}http:`;
  const table = runTable();
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
  };
}

/**
 * Deletes every Redis key under the run's prefix and drops the run's table in PostgreSQL and MySQL,
 * wherever they exist (a server that does not answer holds nothing of this run).
 */
export async function removeRunData(): Promise<void> {
  const table = runTable();
  const warn =
    (what: string) =>
    (error: unknown): void => {
      // A server that refuses connections holds nothing of this run; any other failure may leave data behind.
      const code = (error as { code?: string }).code ?? (error as { errors?: { code?: string }[] }).errors?.[0]?.code;
      if (code !== 'ECONNREFUSED') console.error(`bench: could not remove ${what}: ${message(error)}`);
    };
  await Promise.all([
    deleteKeys(runKeyPrefix()).catch(warn(`the Redis keys under ${runKeyPrefix()}`)),
    withPg((client) => client.query(`DROP TABLE IF EXISTS "${table}"`), 15_000).catch(warn(`the PostgreSQL table ${table}`)),
    dropMySqlTable(table).catch(warn(`the MySQL table ${table}`)),
  ]);
}

async function redisClient(connectMs = 1000) {
  const { Redis } = await import('ioredis');
  return new Redis(REDIS_URL, { lazyConnect: true, connectTimeout: connectMs, maxRetriesPerRequest: 1, retryStrategy: () => null });
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
  const client = await redisClient(15_000);
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

async function withPg<T>(run: (client: import('pg').Client) => Promise<T>, connectMs = 1000): Promise<T> {
  const pg = (await import('pg')).default;
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: connectMs });
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

async function dropMySqlTable(table: string): Promise<void> {
  const mysql = await import('mysql2/promise');
  const connection = await mysql.createConnection({ uri: MYSQL_URL, connectTimeout: 15_000 });
  try {
    await connection.query(`DROP TABLE IF EXISTS \`${table}\``);
  } finally {
    await connection.end().catch(() => undefined);
  }
}
