import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { LmdbStore } from '../../native-store/index.js';
import { SessionManager } from '../../src/manager.js';
import { MySqlStore } from '../../src/stores/mysql.js';
import { PostgresStore } from '../../src/stores/postgres.js';
import { RedisStore } from '../../src/stores/redis.js';

// Nothing here connects: the clients are built but never used.
const pgPool = new pg.Pool();
const mysqlPool = mysql.createPool({});
const redis = new Redis({ lazyConnect: true });

afterAll(async () => {
  await pgPool.end();
  await mysqlPool.end();
  redis.disconnect();
  for (const path of lmdbPaths) rmSync(path, { recursive: true, force: true });
});

const lmdbPaths: string[] = [];
function lmdbPath(): string {
  const path = join(tmpdir(), `sessionkit-options-${Math.random().toString(36).slice(2)}`);
  lmdbPaths.push(path);
  return path;
}

/** The message a TypeError carries, or a failure if `build` does not throw one. */
function typeErrorOf(build: () => unknown): string {
  try {
    build();
  } catch (error) {
    expect(error).toBeInstanceOf(TypeError);
    return (error as Error).message;
  }
  throw new Error('expected a TypeError');
}

describe('store options', () => {
  it('refuse an interval a timer cannot wait (over 2^31 - 1 ms) with the same message in every store', () => {
    const messages = [
      typeErrorOf(() => new LmdbStore({ path: lmdbPath(), sweepInterval: 2 ** 31 })).replace('sweepInterval', 'X'),
      typeErrorOf(() => new PostgresStore({ pool: pgPool, cleanupInterval: 2 ** 31 })).replace('cleanupInterval', 'X'),
      typeErrorOf(() => new MySqlStore({ pool: mysqlPool, cleanupInterval: 2 ** 31 })).replace('cleanupInterval', 'X'),
    ];
    expect(messages).toEqual(Array(3).fill('sessionkit: option X must be a number of ms from 0 (off) to 2147483647; got 2147483648'));
  });

  it('accept the longest interval a timer can wait', async () => {
    const stores = [
      new LmdbStore({ path: lmdbPath(), sweepInterval: 2 ** 31 - 1 }),
      new PostgresStore({ pool: pgPool, cleanupInterval: 2 ** 31 - 1 }),
      new MySqlStore({ pool: mysqlPool, cleanupInterval: 2 ** 31 - 1 }),
    ];
    for (const store of stores) await store.close();
  });

  it('refuse a timeout that is not a number of ms above 0 with the same message in every networked store', () => {
    for (const bad of [0, -1, Number.POSITIVE_INFINITY, 2 ** 31, '1000']) {
      const messages = [
        typeErrorOf(() => new RedisStore({ client: redis, timeout: bad as number })),
        typeErrorOf(() => new PostgresStore({ pool: pgPool, timeout: bad as number })),
        typeErrorOf(() => new MySqlStore({ pool: mysqlPool, timeout: bad as number })),
      ];
      expect(new Set(messages).size).toBe(1);
      expect(messages[0]).toMatch(/^sessionkit: option timeout must be a number of ms above 0, at most 2147483647; got /);
    }
  });

  it('refuse a client where a pool is needed', () => {
    expect(typeErrorOf(() => new PostgresStore({ pool: new pg.Client() as never }))).toMatch(/option pool must be a pg Pool/);
  });

  it('refuse a callback that is not a function, naming it', () => {
    expect(typeErrorOf(() => new PostgresStore({ pool: pgPool, onCleanupError: 1 as never }))).toMatch(/option onCleanupError must be a function/);
    expect(typeErrorOf(() => new MySqlStore({ pool: mysqlPool, onCleanupError: 1 as never }))).toMatch(/option onCleanupError must be a function/);
    expect(typeErrorOf(() => new LmdbStore({ path: lmdbPath(), onSweepError: 1 as never }))).toMatch(/option onSweepError must be a function/);
  });

  it('in the manager, lifetime and idleTimeout are checked by the same validators', () => {
    expect(typeErrorOf(() => new SessionManager({ lifetime: 0 }))).toBe('sessionkit: option lifetime must be a finite number of ms above 0; got 0');
    expect(typeErrorOf(() => new SessionManager({ idleTimeout: -1 }))).toBe('sessionkit: option idleTimeout must be a finite number of ms, 0 or more; got -1');
    expect(typeErrorOf(() => new SessionManager({ hashTokenInStore: 1 as never }))).toMatch(/option hashTokenInStore must be a boolean/);
  });
});
