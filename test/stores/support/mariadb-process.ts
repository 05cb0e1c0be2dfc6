// Test support: a private MariaDB server (mariadb-install-db in a temp dir) on a free loopback port, started and stopped by the test.
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { freePort, removeDir, run, tempDir, waitFor } from './processes.js';

/** A private MariaDB (root, no password, grant tables skipped: test only) with a database `test`; `stop()` and `start()` keep its port and data. */
export interface MariaDbProcess {
  readonly port: number;
  start(): Promise<void>;
  stop(): Promise<void>;
  dispose(): Promise<void>;
}

async function answers(port: number): Promise<boolean> {
  const connection = await mysql.createConnection({ host: '127.0.0.1', port, user: 'root', connectTimeout: 1000 });
  await connection.end();
  return true;
}

/** Installs a data directory and starts mariadbd on it. Call `dispose()` afterwards. */
export async function startMariaDb(): Promise<MariaDbProcess> {
  const dir = await tempDir('mariadb');
  const data = join(dir, 'data');
  const port = await freePort();
  await run('mariadb-install-db', ['--no-defaults', `--datadir=${data}`, '--user=root', '--auth-root-authentication-method=normal', '--skip-test-db']);
  const args = [
    '--no-defaults',
    `--datadir=${data}`,
    `--port=${port}`,
    `--socket=${join(dir, 'mariadb.sock')}`,
    '--bind-address=127.0.0.1',
    '--user=root',
    '--skip-grant-tables',
    '--skip-log-bin',
    '--innodb-buffer-pool-size=32M',
    `--pid-file=${join(dir, 'mariadb.pid')}`,
  ];
  let child: ChildProcess | undefined;
  const server: MariaDbProcess = {
    port,
    async start() {
      const log = openSync(join(dir, 'mariadb.log'), 'a');
      child = spawn('mariadbd', args, { stdio: ['ignore', log, log] });
      closeSync(log);
      await waitFor(`mariadbd on port ${port}`, () => answers(port));
    },
    async stop() {
      const running = child;
      child = undefined;
      if (running === undefined || running.exitCode !== null) return;
      const exited = new Promise((resolve) => running.once('exit', resolve));
      running.kill('SIGTERM');
      await exited;
    },
    async dispose() {
      await server.stop();
      await removeDir(dir);
    },
  };
  await server.start();
  const connection = await mysql.createConnection({ host: '127.0.0.1', port, user: 'root' });
  await connection.query('CREATE DATABASE IF NOT EXISTS test');
  await connection.end();
  return server;
}
