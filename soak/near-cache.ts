// Soak phase for RedisStore's near cache: two app nodes (stores with connections of their own) on a private redis-server, under faults; counts stale reads and lost writes.
// Usage: tsx soak/near-cache.ts [--seconds 30]   (exit code 1 when a stale read or a lost write was seen)
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { RedisStore } from '../src/stores/redis.js';
import { generateToken } from '../src/token.js';

const run = promisify(execFile);
/** Another node's write may be missed this long after it was acknowledged (the invalidation's way); a node's own writes: never. */
const ALLOWED_MS = 100;
const TOKENS_PER_NODE = 20;
const now = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A port the OS hands out, released for redis-server to take. */
function osPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A private redis-server with an fsync-always append-only file, so an acknowledged write survives a restart. */
async function startServer(dir: string, port: number): Promise<{ start(): Promise<void>; stop(): Promise<void>; signal(name: NodeJS.Signals): Promise<void> }> {
  const pidFile = join(dir, 'redis.pid');
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'yes', '--appendfsync', 'always'];
  const cli = (...command: string[]) => run('redis-cli', ['-p', String(port), ...command], { timeout: 2000 });
  const server = {
    async start() {
      await run('redis-server', [...args, '--daemonize', 'yes', '--dir', dir, '--pidfile', pidFile, '--logfile', join(dir, 'redis.log')]);
      for (let i = 0; i < 100; i++) if ((await cli('ping').catch(() => ({ stdout: '' }))).stdout.trim() === 'PONG') return;
      throw new Error('redis-server did not start');
    },
    async stop() {
      await cli('shutdown').catch(() => {});
      for (let i = 0; i < 100; i++) if ((await cli('ping').catch(() => ({ stdout: '' }))).stdout.trim() !== 'PONG') return;
    },
    signal: async (name: NodeJS.Signals) => void process.kill(Number((await readFile(pidFile, 'utf8')).trim()), name),
  };
  await server.start();
  return server;
}

interface Counts {
  reads: number;
  cachedReads: number;
  writes: number;
  errors: number;
  exempt: number;
  stale: number;
}

interface Written {
  value: number;
  acked: number;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { seconds: { type: 'string', default: '30' } } });
  const seconds = Number(values.seconds);
  const dir = await mkdtemp(join(tmpdir(), 'sessionkit-soak-near-'));
  const port = await osPort();
  const server = await startServer(dir, port);
  const clients = [0, 1].map(() => {
    const client = new Redis({ host: '127.0.0.1', port, maxRetriesPerRequest: 1, commandTimeout: 1000, retryStrategy: (times) => Math.min(times * 50, 500) });
    client.on('error', () => {});
    return client;
  });
  const stores = clients.map((client) => new RedisStore({ client, prefix: 'soak:', nearCache: true, timeout: 1000 }));
  const tokens = [0, 1].map(() => Array.from({ length: TOKENS_PER_NODE }, () => generateToken()));
  const last = new Map<string, { node: number; history: Written[] }>();
  tokens.forEach((owned, node) => owned.forEach((token) => last.set(token, { node, history: [] })));
  const counts: Counts = { reads: 0, cachedReads: 0, writes: 0, errors: 0, exempt: 0, stale: 0 };
  const events: string[] = [];
  const end = Date.now() + seconds * 1000;

  // Each node writes only its own tokens (one writer per token, so values rise in Redis order) and reads everyone's.
  const writer = async (node: number) => {
    let value = 0;
    while (Date.now() < end) {
      const token = tokens[node]![value % TOKENS_PER_NODE]!;
      value++;
      try {
        await stores[node]!.commit(token, Buffer.from(String(value)), Date.now() + 3_600_000);
        last.get(token)!.history.push({ value, acked: now() });
        counts.writes++;
      } catch {
        counts.errors++;
        await sleep(5);
      }
    }
  };
  const reader = async (node: number) => {
    const all = tokens.flat();
    while (Date.now() < end) {
      const token = all[Math.floor(Math.random() * all.length)]!;
      const began = now();
      try {
        const found = stores[node]!.find(token);
        if (!(found instanceof Promise)) counts.cachedReads++;
        const data = await found;
        counts.reads++;
        const seen = data === undefined ? 0 : Number(Buffer.from(data).toString());
        const { node: writerNode, history } = last.get(token)!;
        const newer = history.filter((w) => w.value > seen && w.acked < began);
        if (newer.length > 0) {
          if (writerNode !== node && newer.every((w) => began - w.acked < ALLOWED_MS)) counts.exempt++;
          else counts.stale++;
        }
      } catch {
        counts.errors++;
        await sleep(5);
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
  const faults = async () => {
    const at = (fraction: number) => sleep(Math.max(0, end - seconds * 1000 * (1 - fraction) - Date.now()));
    const admin = new Redis({ host: '127.0.0.1', port, maxRetriesPerRequest: 1, retryStrategy: () => 200 });
    admin.on('error', () => {});
    await at(0.2);
    const killed = await admin.client('KILL', 'TYPE', 'pubsub').catch(() => 0);
    events.push(`kill invalidation connections (${killed})`);
    await at(0.4);
    await server.signal('SIGSTOP');
    await sleep(1000);
    await server.signal('SIGCONT');
    events.push('freeze 1 s');
    await at(0.6);
    await server.stop();
    await sleep(500);
    await server.start();
    events.push('restart');
    await at(0.8);
    const list = String(await admin.client('LIST').catch(() => ''));
    const data = [...list.matchAll(/id=(\d+) [^\n]*name=sessionkit-near-cache[^\n]* sub=0 /g)].map((m) => m[1]!);
    for (const id of data) await admin.client('KILL', 'ID', id).catch(() => {});
    events.push(`kill the near cache data connections (${data.length})`);
    admin.disconnect();
  };
  await Promise.all([writer(0), writer(1), reader(0), reader(1), reader(0), reader(1), faults()]);

  // Acknowledged writes lost: Redis must hold at least the last acknowledged value of every token.
  const check = new Redis({ host: '127.0.0.1', port });
  let lost = 0;
  for (const [token, { history }] of last) {
    const acked = history.at(-1)?.value ?? 0;
    if (Number((await check.get(`soak:${token}`)) ?? 0) < acked) lost++;
  }
  check.disconnect();
  const stats = stores.map((store) => store.nearCacheStats()!);
  await Promise.all(stores.map((store) => store.close()));
  for (const client of clients) client.disconnect();
  await server.stop();
  await rm(dir, { recursive: true, force: true });
  console.log(`near cache soak, ${seconds} s, two nodes on one Redis; faults: ${events.join(', ')}`);
  console.log(
    `  reads ${counts.reads} (${counts.cachedReads} from the near cache), writes ${counts.writes}, errors during faults ${counts.errors}; ` +
      `reads within ${ALLOWED_MS} ms of another node's write ${counts.exempt}`,
  );
  console.log(`  flushes per node ${stats.map((s) => s.flushes).join(', ')}; invalidations per node ${stats.map((s) => s.invalidations).join(', ')}`);
  console.log(`  stale reads ${counts.stale}, acknowledged writes lost ${lost}`);
  process.exitCode = counts.stale === 0 && lost === 0 ? 0 : 1;
}

await main();
