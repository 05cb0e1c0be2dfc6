import mysql, { type Pool } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SessionkitError } from '../../src/errors.js';
import { MySqlStore } from '../../src/stores/mysql.js';
import { generateToken } from '../../src/token.js';
import { eventually, expectFastFailure } from './support/failure.js';
import { startMariaDb, type MariaDbProcess } from './support/mariadb-process.js';

let server: MariaDbProcess | undefined;
let pool: Pool;
let store: MySqlStore;
const later = () => Date.now() + 60_000;

beforeAll(async () => {
  server = await startMariaDb();
  // The settings docs/stores.md recommends: a bounded wait for a connection.
  pool = mysql.createPool({ host: '127.0.0.1', port: server.port, user: 'root', database: 'test', connectionLimit: 4, connectTimeout: 1000 });
  store = new MySqlStore({ pool, cleanupInterval: 0 });
  await store.createTable();
});

afterAll(async () => {
  await pool?.end();
  await server?.dispose();
});

describe('MySqlStore when its server fails', () => {
  it('rejects at once while the server is down, then works again once it is back, data kept', async () => {
    const token = generateToken();
    await store.commit(token, Uint8Array.of(1, 2), later());
    const cleanupErrors: unknown[] = [];
    const timed = new MySqlStore({ pool, cleanupInterval: 50, onCleanupError: (error) => cleanupErrors.push(error) });
    await server!.stop();

    await expectFastFailure(() => store.find(token), /^sessionkit: mysql store: find failed$/);
    await expectFastFailure(() => store.commit(token, Uint8Array.of(2), later()), /^sessionkit: mysql store: commit failed$/);
    await expectFastFailure(() => store.delete(token), /^sessionkit: mysql store: delete failed$/);
    await expectFastFailure(() => store.touch(token, later()), /^sessionkit: mysql store: touch failed$/);
    await expectFastFailure(async () => {
      for await (const entry of store.all()) void entry;
    }, /^sessionkit: mysql store: all failed$/);
    await eventually(async () => expect(cleanupErrors.length).toBeGreaterThan(0), 5000);
    expect(cleanupErrors[0]).toBeInstanceOf(SessionkitError);
    expect((cleanupErrors[0] as Error).message).toBe('sessionkit: mysql store: cleanup failed');
    await timed.close();

    await server!.start(); // same port and data directory
    expect(await eventually(() => store.find(token))).toEqual(Uint8Array.of(1, 2));
    const again = generateToken();
    await store.commit(again, Uint8Array.of(3), later());
    expect(await store.find(again)).toEqual(Uint8Array.of(3));
  });
});
