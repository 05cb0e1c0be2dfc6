import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SessionkitError } from '../../src/errors.js';
import { PostgresStore } from '../../src/stores/postgres.js';
import { generateToken } from '../../src/token.js';
import { eventually, expectFastFailure } from './support/failure.js';
import { startPostgres, type PostgresProcess } from './support/postgres-process.js';

let server: PostgresProcess | undefined;
let pool: pg.Pool;
let store: PostgresStore;
const later = () => Date.now() + 60_000;

beforeAll(async () => {
  server = await startPostgres();
  // The settings docs/stores.md recommends: a bounded wait for a connection and for each query.
  pool = new pg.Pool({ host: '127.0.0.1', port: server.port, user: 'postgres', database: 'postgres', max: 4, connectionTimeoutMillis: 1000, query_timeout: 2000 });
  pool.on('error', () => {}); // idle clients lose the server below; without a listener that would crash the process
  store = new PostgresStore({ pool, cleanupInterval: 0 });
  await store.createTable();
});

afterAll(async () => {
  await pool?.end();
  await server?.dispose();
});

describe('PostgresStore when its server fails', () => {
  it('rejects at once while the server is down, then works again once it is back, data kept', async () => {
    const token = generateToken();
    await store.commit(token, Uint8Array.of(1, 2), later());
    const cleanupErrors: unknown[] = [];
    const timed = new PostgresStore({ pool, cleanupInterval: 50, onCleanupError: (error) => cleanupErrors.push(error) });
    await server!.stop();

    await expectFastFailure(() => store.find(token), /^sessionkit: postgres store: find failed$/);
    await expectFastFailure(() => store.commit(token, Uint8Array.of(2), later()), /^sessionkit: postgres store: commit failed$/);
    await expectFastFailure(() => store.delete(token), /^sessionkit: postgres store: delete failed$/);
    await expectFastFailure(() => store.touch(token, later()), /^sessionkit: postgres store: touch failed$/);
    await expectFastFailure(async () => {
      for await (const entry of store.all()) void entry;
    }, /^sessionkit: postgres store: all failed$/);
    await eventually(async () => expect(cleanupErrors.length).toBeGreaterThan(0), 5000);
    expect(cleanupErrors[0]).toBeInstanceOf(SessionkitError);
    expect((cleanupErrors[0] as Error).message).toBe('sessionkit: postgres store: cleanup failed');
    await timed.close();

    await server!.start(); // same port and data directory
    expect(await eventually(() => store.find(token))).toEqual(Uint8Array.of(1, 2));
    const again = generateToken();
    await store.commit(again, Uint8Array.of(3), later());
    expect(await store.find(again)).toEqual(Uint8Array.of(3));
  });
});
