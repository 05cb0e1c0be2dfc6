// Private redis-servers for the near-cache soak phase: one standalone, or a three-master Cluster with a replica of the first master; ports from the OS.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface SoakRedis {
  readonly port: number;
  start(): Promise<void>;
  stop(): Promise<void>;
  signal(name: NodeJS.Signals): Promise<void>;
  cli(...command: string[]): Promise<string>;
}

function listen(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const server = createServer().once('error', () => resolve(undefined));
    server.listen(port, '127.0.0.1', () => {
      const { port: taken } = server.address() as { port: number };
      server.close(() => resolve(taken));
    });
  });
}

/** A port the OS hands out; with `bus`, port + 10000 is free too (a Cluster node's bus port). */
async function osPort(bus: boolean): Promise<number> {
  for (;;) {
    const port = await listen(0);
    if (port !== undefined && (!bus || (port < 55_000 && (await listen(port + 10_000)) !== undefined))) return port;
  }
}

/** A private redis-server with an fsync-always append-only file, so an acknowledged write survives a restart. */
export async function startSoakRedis(dir: string, cluster = false): Promise<SoakRedis> {
  const port = await osPort(cluster);
  const pidFile = join(dir, `redis-${port}.pid`);
  const args = [
    ...['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'yes', '--appendfsync', 'always'],
    ...['--appendfilename', `appendonly-${port}.aof`, '--appenddirname', `aof-${port}`, '--daemonize', 'yes', '--dir', dir],
    ...['--pidfile', pidFile, '--logfile', join(dir, `redis-${port}.log`)],
    ...(cluster ? ['--cluster-enabled', 'yes', '--cluster-config-file', join(dir, `nodes-${port}.conf`)] : []),
  ];
  const cli = async (...command: string[]) => (await run('redis-cli', ['-p', String(port), ...command], { timeout: 5000 })).stdout;
  const answers = async () => (await cli('ping').catch(() => '')).trim() === 'PONG';
  const server: SoakRedis = {
    port,
    cli,
    async start() {
      await run('redis-server', args);
      for (let i = 0; i < 100 && !(await answers()); i++) await sleep(100);
    },
    async stop() {
      await cli('shutdown').catch(() => {});
      for (let i = 0; i < 100 && (await answers()); i++) await sleep(100);
    },
    signal: async (name) => void process.kill(Number((await readFile(pidFile, 'utf8')).trim()), name),
  };
  await server.start();
  return server;
}

/** Three masters joined into a Cluster and a replica of the first; resolves once the replica is in sync. */
export async function startSoakCluster(dir: string): Promise<{ masters: SoakRedis[]; replica: SoakRedis }> {
  const masters = [await startSoakRedis(dir, true), await startSoakRedis(dir, true), await startSoakRedis(dir, true)];
  await run('redis-cli', ['--cluster', 'create', ...masters.map((m) => `127.0.0.1:${m.port}`), '--cluster-replicas', '0', '--cluster-yes']);
  for (const master of masters) await until(async () => (await master.cli('cluster', 'info')).includes('cluster_state:ok'));
  const replica = await startSoakRedis(dir, true);
  const masterId = (await masters[0]!.cli('cluster', 'myid')).trim();
  await run('redis-cli', [
    '--cluster',
    'add-node',
    `127.0.0.1:${replica.port}`,
    `127.0.0.1:${masters[0]!.port}`,
    '--cluster-slave',
    '--cluster-master-id',
    masterId,
  ]);
  await until(async () => (await replica.cli('info', 'replication')).includes('master_link_status:up'));
  return { masters, replica };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function until(check: () => Promise<boolean>, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error('soak: a Redis server did not reach the expected state');
    await sleep(100);
  }
}
