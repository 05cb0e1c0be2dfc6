// Test support: private redis-server processes (one, or a three-master Cluster) on free loopback ports, started and stopped by the test.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort, removeDir, run, tempDir, waitFor } from './processes.js';

/** A private redis-server: `stop()` shuts it down (nothing saved), `start()` brings it back on the same port. */
export interface RedisProcess {
  readonly port: number;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Freezes the process (SIGSTOP): connections stay open but nothing answers, like a hung server. */
  pause(): Promise<void>;
  /** Thaws a paused process (SIGCONT). */
  resume(): Promise<void>;
}

async function ping(port: number): Promise<boolean> {
  return (await run('redis-cli', ['-p', String(port), 'ping'], { timeout: 2000 })).trim() === 'PONG';
}

function redisProcess(port: number, dir: string, cluster: boolean): RedisProcess {
  const pidFile = join(dir, `redis-${port}.pid`);
  const signal = async (name: NodeJS.Signals) => void process.kill(Number((await readFile(pidFile, 'utf8')).trim()), name);
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'no',
    '--daemonize',
    'yes',
    '--dir',
    dir,
    '--pidfile',
    pidFile,
    '--logfile',
    join(dir, `redis-${port}.log`),
    ...(cluster ? ['--cluster-enabled', 'yes', '--cluster-config-file', join(dir, `nodes-${port}.conf`)] : []),
  ];
  return {
    port,
    async start() {
      await run('redis-server', args);
      await waitFor(`redis-server on port ${port}`, () => ping(port), 10_000);
    },
    async stop() {
      await run('redis-cli', ['-p', String(port), 'shutdown', 'nosave']).catch(() => {}); // the connection drops as it shuts down
      await waitFor(`redis-server on port ${port} to stop`, async () => !(await ping(port).catch(() => false)), 10_000);
    },
    pause: () => signal('SIGSTOP'),
    resume: () => signal('SIGCONT'),
  };
}

/** Starts a private standalone redis-server. Call `dispose()` afterwards. */
export async function startRedis(): Promise<RedisProcess & { dispose(): Promise<void> }> {
  const dir = await tempDir('redis');
  const server = redisProcess(await freePort(), dir, false);
  await server.start();
  return {
    ...server,
    dispose: async () => {
      await server.stop();
      await removeDir(dir);
    },
  };
}

/** A private Redis Cluster of three masters and no replicas. */
export interface RedisCluster {
  readonly ports: number[];
  dispose(): Promise<void>;
}

/** Starts three cluster-enabled redis-servers, joins them with `redis-cli --cluster create`, waits for cluster_state:ok. */
export async function startRedisCluster(): Promise<RedisCluster> {
  const dir = await tempDir('redis-cluster');
  const servers: RedisProcess[] = [];
  const dispose = async () => {
    await Promise.all(servers.map((server) => server.stop()));
    await removeDir(dir);
  };
  try {
    while (servers.length < 3) {
      const port = await freePort(10_000);
      if (servers.some((server) => Math.abs(server.port - port) === 10_000 || server.port === port)) continue;
      const server = redisProcess(port, dir, true);
      await server.start();
      servers.push(server);
    }
    const ports = servers.map((server) => server.port);
    await run('redis-cli', ['--cluster', 'create', ...ports.map((port) => `127.0.0.1:${port}`), '--cluster-replicas', '0', '--cluster-yes']);
    for (const port of ports) {
      await waitFor(`cluster_state:ok on port ${port}`, async () =>
        (await run('redis-cli', ['-p', String(port), 'cluster', 'info'])).includes('cluster_state:ok'),
      );
    }
    return { ports, dispose };
  } catch (error) {
    await dispose();
    throw error;
  }
}
