import { Redis } from 'ioredis';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SessionkitError } from '../../src/errors.js';
import { MySqlStore } from '../../src/stores/mysql.js';
import { PostgresStore } from '../../src/stores/postgres.js';
import { RedisStore } from '../../src/stores/redis.js';
import { generateToken } from '../../src/token.js';
import { eventually } from './support/failure.js';
import { startFreezableProxy, startSilentServer } from './support/hung-server.js';
import { randomSuffix } from './support/processes.js';
import { MARIADB, POSTGRES, REDIS, requireMariaDb, requirePostgres, requireRedis } from './support/shared-servers.js';
import { later, sleep } from '../support/time.js';

const TIMEOUT = 300;
const ignore = () => {};
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);

beforeAll(async () => {
  await Promise.all([requireRedis(), requirePostgres(), requireMariaDb()]);
  process.on('unhandledRejection', onUnhandled);
});

afterAll(() => {
  process.off('unhandledRejection', onUnhandled);
});

/** `operation` must reject with `<component>: <name> failed` and a TimeoutError cause, after the timeout and not much later. */
async function expectTimeout(operation: () => Promise<unknown>, component: string, name: string): Promise<void> {
  const started = Date.now();
  const error = await operation().then(
    () => undefined,
    (caught: unknown) => caught,
  );
  const elapsed = Date.now() - started;
  expect(error, `${name} should have rejected`).toBeInstanceOf(SessionkitError);
  expect((error as Error).message).toBe(`sessionkit: ${component}: ${name} failed`);
  expect(((error as Error).cause as Error).name).toBe('TimeoutError');
  expect(elapsed).toBeGreaterThanOrEqual(TIMEOUT - 5);
  expect(elapsed, `${name} settled after ${elapsed} ms`).toBeLessThan(TIMEOUT + 1500);
}

async function drain(iterable: AsyncIterable<unknown>): Promise<void> {
  for await (const entry of iterable) void entry;
}

interface SqlStore {
  find(token: string): Promise<unknown>;
  commit(token: string, data: Uint8Array, expiresAt: number): Promise<void>;
  delete(token: string): Promise<void>;
  touch(token: string, expiresAt: number): Promise<void | boolean>;
  all(): AsyncIterable<unknown>;
  cleanup(): Promise<number>;
  createTable(): Promise<void>;
}

/** Every operation of a SQL store, at once, several of them waiting for a pooled connection. */
function everySqlOperation(store: SqlStore, component: string, token: string): Promise<void>[] {
  return [
    expectTimeout(() => store.find(token), component, 'find'),
    expectTimeout(() => store.find(generateToken()), component, 'find'),
    expectTimeout(() => store.commit(token, Uint8Array.of(2), later()), component, 'commit'),
    expectTimeout(() => store.delete(generateToken()), component, 'delete'),
    expectTimeout(() => store.touch(token, later()), component, 'touch'),
    expectTimeout(() => drain(store.all()), component, 'all'),
    expectTimeout(() => store.cleanup(), component, 'cleanup'),
    expectTimeout(() => store.createTable(), component, 'createTable'),
  ];
}

describe('RedisStore timeout', () => {
  it('settles every operation within it against a server that accepts and never answers (ioredis defaults)', async () => {
    const silent = await startSilentServer();
    const client = new Redis({ host: '127.0.0.1', port: silent.port });
    client.on('error', ignore);
    const store = new RedisStore({ client, timeout: TIMEOUT });
    const token = generateToken();
    await Promise.all([
      expectTimeout(async () => store.find(token), 'redis store', 'GET'),
      expectTimeout(() => store.commit(token, Uint8Array.of(1), later()), 'redis store', 'SET'),
      expectTimeout(() => store.delete(token), 'redis store', 'DEL'),
      expectTimeout(() => store.touch(token, later()), 'redis store', 'PEXPIREAT'),
      expectTimeout(() => drain(store.all()), 'redis store', 'SCAN'),
    ]);
    client.disconnect(); // the queued commands now fail late: nobody may be left with an unhandled rejection
    await silent.close();
    await sleep(50);
    expect(unhandled).toEqual([]);
  });

  it('settles within it while the server hangs, and the client works again once it answers', async () => {
    const proxy = await startFreezableProxy(REDIS.port, REDIS.host);
    const client = new Redis({ ...REDIS, host: '127.0.0.1', port: proxy.port, lazyConnect: true });
    client.on('error', ignore);
    await client.connect();
    const prefix = `sessionkit-test:${randomSuffix()}:`;
    const store = new RedisStore({ client, prefix, timeout: TIMEOUT });
    const token = generateToken();
    try {
      await store.commit(token, Uint8Array.of(7), later());
      proxy.freeze();
      await Promise.all([
        expectTimeout(async () => store.find(token), 'redis store', 'GET'),
        expectTimeout(() => store.commit(generateToken(), Uint8Array.of(1), later()), 'redis store', 'SET'),
      ]);
      proxy.thaw();
      expect(await store.find(token)).toEqual(Uint8Array.of(7));
      await store.delete(token);
      expect(unhandled).toEqual([]);
    } finally {
      proxy.thaw();
      client.disconnect();
      await proxy.close();
    }
  });
});

describe('PostgresStore timeout', () => {
  it('settles every operation within it against a server that accepts and never answers, connection waits included', async () => {
    const silent = await startSilentServer();
    const pool = new pg.Pool({ ...POSTGRES, host: '127.0.0.1', port: silent.port, max: 2 }); // pg's defaults: no connection timeout
    pool.on('error', ignore);
    const store = new PostgresStore({ pool, cleanupInterval: 0, timeout: TIMEOUT });
    await Promise.all(everySqlOperation(store, 'postgres store', generateToken()));
    await silent.close(); // the hung connection attempts now fail, late
    await sleep(50);
    await pool.end();
    expect(unhandled).toEqual([]);
  });

  it('settles within it while the server hangs, and the pool works again once it answers', async () => {
    const proxy = await startFreezableProxy(POSTGRES.port, POSTGRES.host);
    const pool = new pg.Pool({ ...POSTGRES, host: '127.0.0.1', port: proxy.port, max: 2 });
    pool.on('error', ignore);
    const table = `sessionkit_test_${randomSuffix()}`;
    const store = new PostgresStore({ pool, table, cleanupInterval: 0, timeout: TIMEOUT });
    try {
      await store.createTable();
      const token = generateToken();
      await store.commit(token, Uint8Array.of(1, 2), later());
      proxy.freeze();
      await Promise.all(everySqlOperation(store, 'postgres store', token));
      proxy.thaw();
      expect(await store.find(token)).toEqual(Uint8Array.of(1, 2));
      await eventually(async () => expect(pool.waitingCount).toBe(0), 5000);
      expect(pool.totalCount).toBeLessThanOrEqual(2);
      expect(unhandled).toEqual([]);
    } finally {
      proxy.thaw();
      await pool.query(`DROP TABLE IF EXISTS "${table}"`).catch(ignore);
      await pool.end();
      await proxy.close();
    }
  });
});

describe('MySqlStore timeout', () => {
  it('settles every operation within it against a server that accepts and never answers, connection waits included', async () => {
    const silent = await startSilentServer();
    const pool = mysql.createPool({ ...MARIADB, host: '127.0.0.1', port: silent.port, connectionLimit: 2 }); // mysql2's defaults: 10 s to connect, no query timeout
    const store = new MySqlStore({ pool, cleanupInterval: 0, timeout: TIMEOUT });
    await Promise.all(everySqlOperation(store, 'mysql store', generateToken()));
    await silent.close();
    await sleep(50);
    await pool.end().catch(ignore); // a connection attempt to the closed server may fail as the pool ends
    expect(unhandled).toEqual([]);
  });

  it('settles within it while the server hangs, and the pool works again once it answers', async () => {
    const proxy = await startFreezableProxy(MARIADB.port, MARIADB.host);
    const pool = mysql.createPool({ ...MARIADB, host: '127.0.0.1', port: proxy.port, connectionLimit: 2 });
    const table = `sessionkit_test_${randomSuffix()}`;
    const store = new MySqlStore({ pool, table, cleanupInterval: 0, timeout: TIMEOUT });
    try {
      await store.createTable();
      const token = generateToken();
      await store.commit(token, Uint8Array.of(1, 2), later());
      proxy.freeze();
      await Promise.all(everySqlOperation(store, 'mysql store', token));
      proxy.thaw();
      expect(await eventually(() => store.find(token), 5000)).toEqual(Uint8Array.of(1, 2));
      const again = generateToken();
      await store.commit(again, Uint8Array.of(3), later());
      expect(await store.find(again)).toEqual(Uint8Array.of(3));
      expect(unhandled).toEqual([]);
    } finally {
      proxy.thaw();
      await pool.query(`DROP TABLE IF EXISTS \`${table}\``).catch(ignore);
      await pool.end();
      await proxy.close();
    }
  });
});
