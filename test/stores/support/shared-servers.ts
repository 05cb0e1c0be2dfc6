// Test support: the shared PostgreSQL, MariaDB and Redis (this machine's, or where SESSIONKIT_TEST_*_URL say), and a check that fails the run clearly when one is down.
import mysql from 'mysql2/promise';
import pg from 'pg';
import { Redis } from 'ioredis';

/**
 * Where a shared server is: the URL in environment variable `name`, or `fallback` (this machine's
 * servers). Throws, naming the variable, for a URL of another scheme or without a host.
 */
function serverUrl(name: string, fallback: string, scheme: string): URL {
  const text = process.env[name] || fallback;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new TypeError(`${name} must be a URL such as ${fallback}; got ${JSON.stringify(text)}`);
  }
  if (url.protocol !== `${scheme}:` || url.hostname === '') throw new TypeError(`${name} must be a ${scheme}:// URL such as ${fallback}`);
  return url;
}

function portOf(url: URL, fallback: number): number {
  return url.port === '' ? fallback : Number(url.port);
}

/** The path of a URL as a database name, or `fallback`. */
function databaseOf(url: URL, fallback: string): string {
  const path = decodeURIComponent(url.pathname.slice(1));
  return path === '' ? fallback : path;
}

const redisUrl = serverUrl('SESSIONKIT_TEST_REDIS_URL', 'redis://127.0.0.1:6379/0', 'redis');
const postgresUrl = serverUrl('SESSIONKIT_TEST_POSTGRES_URL', 'postgres://postgres@127.0.0.1:5432/test', 'postgres');
const mariaDbUrl = serverUrl('SESSIONKIT_TEST_MYSQL_URL', 'mysql://root@127.0.0.1:3306/test', 'mysql');

export const REDIS = {
  host: redisUrl.hostname,
  port: portOf(redisUrl, 6379),
  db: Number(databaseOf(redisUrl, '0')),
  ...(redisUrl.password === '' ? {} : { password: decodeURIComponent(redisUrl.password) }),
};
export const POSTGRES = {
  host: postgresUrl.hostname,
  port: portOf(postgresUrl, 5432),
  user: decodeURIComponent(postgresUrl.username) || 'postgres',
  database: databaseOf(postgresUrl, 'test'),
  ...(postgresUrl.password === '' ? {} : { password: decodeURIComponent(postgresUrl.password) }),
};
export const MARIADB = {
  host: mariaDbUrl.hostname,
  port: portOf(mariaDbUrl, 3306),
  user: decodeURIComponent(mariaDbUrl.username) || 'root',
  password: decodeURIComponent(mariaDbUrl.password),
  database: databaseOf(mariaDbUrl, 'test'),
};

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
