// Test support: a private PostgreSQL cluster (initdb in a temp dir) on a free loopback port, started and stopped by the test.
import { chown } from 'node:fs/promises';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, removeDir, run, tempDir } from './processes.js';

/** A private PostgreSQL server (trust auth, user postgres): `stop()` and `start()` keep its port and data. */
export interface PostgresProcess {
  readonly port: number;
  start(): Promise<void>;
  stop(): Promise<void>;
  dispose(): Promise<void>;
}

function binDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = readdirSync(root).sort((a, b) => Number(b) - Number(a));
  if (versions[0] === undefined) throw new Error(`no PostgreSQL binaries under ${root}`);
  return join(root, versions[0], 'bin');
}

/** initdb refuses to run as root: as root, run PostgreSQL's tools as the postgres user. */
function asPostgres(command: string, args: string[], timeout?: number): Promise<string> {
  const options = timeout === undefined ? {} : { timeout };
  return process.getuid?.() === 0 ? run('runuser', ['-u', 'postgres', '--', command, ...args], options) : run(command, args, options);
}

/** Creates a cluster with initdb (fsync off: test data only) and starts it. Call `dispose()` afterwards. */
export async function startPostgres(): Promise<PostgresProcess> {
  const bin = binDir();
  const dir = await tempDir('postgres');
  if (process.getuid?.() === 0) {
    const uid = Number((await run('id', ['-u', 'postgres'])).trim());
    const gid = Number((await run('id', ['-g', 'postgres'])).trim());
    await chown(dir, uid, gid);
  }
  const data = join(dir, 'data');
  const port = await freePort();
  await asPostgres(join(bin, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync']);
  const pgCtl = join(bin, 'pg_ctl');
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`;
  const server: PostgresProcess = {
    port,
    start: async () => void (await asPostgres(pgCtl, ['-D', data, '-l', join(dir, 'log'), '-w', '-t', '30', '-o', options, 'start'])),
    stop: async () => void (await asPostgres(pgCtl, ['-D', data, '-m', 'fast', '-w', '-t', '30', 'stop'])),
    dispose: async () => {
      await server.stop().catch(() => {});
      await removeDir(dir);
    },
  };
  await server.start();
  return server;
}
