import mysql, { type Pool } from 'mysql2/promise';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { MySqlStore } from '../../src/stores/mysql.js';
import { expectOutageAndRecovery } from './support/sql-store-tests.js';
import { startMariaDb, type MariaDbProcess } from './support/mariadb-process.js';

let server: MariaDbProcess | undefined;
let pool: Pool;
let store: MySqlStore;

beforeAll(async () => {
  server = await startMariaDb();
  // The client settings the README recommends: a bounded wait for a connection.
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
    await expectOutageAndRecovery({
      component: 'mysql store',
      store,
      makeTimed: (onCleanupError) => new MySqlStore({ pool, cleanupInterval: 50, onCleanupError }),
      server: server!,
    });
  });
});
