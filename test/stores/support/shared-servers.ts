// Test support: the machine's shared PostgreSQL, MariaDB and Redis, and a check that fails the run clearly when one is down.
import mysql from 'mysql2/promise';
import pg from 'pg';
import { Redis } from 'ioredis';

export const REDIS = { host: '127.0.0.1', port: 6379 };
export const POSTGRES = { host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test' };
export const MARIADB = { host: '127.0.0.1', port: 3306, user: 'root', password: '', database: 'test' };

const HOW_TO_START = {
  Redis: `redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log`,
  PostgreSQL: 'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start',
  MariaDB: 'start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd',
};

function unreachable(server: keyof typeof HOW_TO_START, where: string, cause: unknown): Error {
  return new Error(`${server} is not answering on ${where}; these store tests need it (they are never skipped). Start it with:\n  ${HOW_TO_START[server]}`, {
    cause,
  });
}

/** Throws a clear error when the shared Redis does not answer PING. */
export async function requireRedis(): Promise<void> {
  const client = new Redis({ ...REDIS, lazyConnect: true, connectTimeout: 2000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.ping();
  } catch (error) {
    throw unreachable('Redis', `${REDIS.host}:${REDIS.port}`, error);
  } finally {
    client.disconnect();
  }
}

/** Throws a clear error when the shared PostgreSQL does not answer. */
export async function requirePostgres(): Promise<void> {
  const client = new pg.Client({ ...POSTGRES, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (error) {
    throw unreachable('PostgreSQL', `${POSTGRES.host}:${POSTGRES.port} (database ${POSTGRES.database})`, error);
  } finally {
    await client.end().catch(() => {});
  }
}

/** Throws a clear error when the shared MariaDB does not answer. */
export async function requireMariaDb(): Promise<void> {
  try {
    const connection = await mysql.createConnection({ ...MARIADB, connectTimeout: 2000 });
    await connection.query('SELECT 1');
    await connection.end();
  } catch (error) {
    throw unreachable('MariaDB', `${MARIADB.host}:${MARIADB.port} (database ${MARIADB.database})`, error);
  }
}
