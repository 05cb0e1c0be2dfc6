import pg from 'pg';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { PostgresStore } from '../../src/stores/postgres.js';
import { expectOutageAndRecovery } from './support/sql-store-tests.js';
import { startPostgres, type PostgresProcess } from './support/postgres-process.js';

let server: PostgresProcess | undefined;
let pool: pg.Pool;
let store: PostgresStore;

beforeAll(async () => {
  server = await startPostgres();
  // The client settings the README recommends: a bounded wait for a connection and for each query.
  pool = new pg.Pool({
    host: '127.0.0.1',
    port: server.port,
    user: 'postgres',
    database: 'postgres',
    max: 4,
    connectionTimeoutMillis: 1000,
    query_timeout: 2000,
  });
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
    await expectOutageAndRecovery({
      component: 'postgres store',
      store,
      makeTimed: (onCleanupError) => new PostgresStore({ pool, cleanupInterval: 50, onCleanupError }),
      server: server!,
    });
  });
});
