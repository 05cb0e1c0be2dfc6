// Soak phase for RedisStore's near cache: two app nodes (stores with connections of their own) on private Redis servers under faults; counts stale reads and lost writes.
// Usage: tsx soak/near-cache.ts [--seconds 20]   (each of the two runs, single server then Cluster; exit code 1 on a stale read or a lost write)
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Cluster, Redis } from 'ioredis';
import { RedisStore } from '../src/stores/redis.js';
import { generateToken } from '../src/token.js';
import { type SoakRedis, sleep, startSoakCluster, startSoakRedis } from './near-cache-servers.js';

/** Another node's write may be missed this long after it was acknowledged (the invalidation's way); a node's own writes: never. */
const ALLOWED_MS = 100;
const TOKENS_PER_NODE = 20;
const PREFIX = 'soak:';
const now = () => performance.timeOrigin + performance.now();

interface Fault {
  name: string;
  run(): Promise<void>;
}

interface Outcome {
  reads: number;
  cachedReads: number;
  writes: number;
  errors: number;
  exempt: number;
  stale: number;
  lost: number;
  flushes: number[];
}

/** Two nodes write their own tokens (one writer per token, so values rise in Redis order) and read everyone's, while `faults` run spread over the time. */
async function phase(seconds: number, connect: () => Redis | Cluster, faults: Fault[]): Promise<Outcome> {
  const clients = [connect(), connect()];
  const stores = clients.map((client) => new RedisStore({ client, prefix: PREFIX, nearCache: true, timeout: 1000 }));
  while (!stores.every((store) => store.nearCacheStats()!.tracking)) await sleep(10);
  const tokens = [0, 1].map(() => Array.from({ length: TOKENS_PER_NODE }, () => generateToken()));
  const acked = new Map<string, { node: number; history: { value: number; at: number }[] }>();
  tokens.forEach((owned, node) => owned.forEach((token) => acked.set(token, { node, history: [] })));
  const outcome: Outcome = { reads: 0, cachedReads: 0, writes: 0, errors: 0, exempt: 0, stale: 0, lost: 0, flushes: [] };
  const end = Date.now() + seconds * 1000;

  const writer = async (node: number) => {
    for (let value = 1; Date.now() < end; value++) {
      const token = tokens[node]![value % TOKENS_PER_NODE]!;
      try {
        await stores[node]!.commit(token, Buffer.from(String(value)), Date.now() + 3_600_000);
        acked.get(token)!.history.push({ value, at: now() });
        outcome.writes++;
      } catch {
        outcome.errors++;
        await sleep(5);
      }
    }
  };
  const reader = async (node: number) => {
    const all = tokens.flat();
    while (Date.now() < end) {
      await sleep(1); // cache hits are synchronous: without a pause, readers would starve the writers
      const token = all[Math.floor(Math.random() * all.length)]!;
      const began = now();
      try {
        const found = stores[node]!.find(token);
        if (!(found instanceof Promise)) outcome.cachedReads++;
        const data = await found;
        outcome.reads++;
        const seen = data === undefined ? 0 : Number(Buffer.from(data).toString());
        const { node: writerNode, history } = acked.get(token)!;
        const newer = history.filter((w) => w.value > seen && w.at < began);
        if (newer.length === 0) continue;
        if (writerNode !== node && newer.every((w) => began - w.at < ALLOWED_MS)) outcome.exempt++;
        else outcome.stale++;
      } catch {
        outcome.errors++;
        await sleep(5);
      }
    }
  };
  const inject = async () => {
    for (const [i, fault] of faults.entries()) {
      await sleep(Math.max(0, end - seconds * 1000 * (1 - (i + 1) / (faults.length + 1)) - Date.now()));
      await fault.run();
    }
  };
  await Promise.all([writer(0), writer(1), reader(0), reader(1), reader(0), reader(1), inject()]);

  // Acknowledged writes lost: Redis must hold at least the last acknowledged value of every token.
  const check = connect();
  for (const [token, { history }] of acked) {
    if (Number((await check.get(PREFIX + token)) ?? 0) < (history.at(-1)?.value ?? 0)) outcome.lost++;
  }
  outcome.flushes = stores.map((store) => store.nearCacheStats()!.flushes);
  await Promise.all(stores.map((store) => store.close()));
  for (const client of [...clients, check]) client.disconnect();
  return outcome;
}

/** Kills the near cache's connections on `server`: the subscribed (invalidation) ones, or the tracked data ones. */
async function killNearCacheConnections(server: SoakRedis, kind: 'invalidation' | 'data'): Promise<void> {
  const list = await server.cli('client', 'list');
  const pattern = kind === 'invalidation' ? / sub=1 / : / sub=0 /;
  const ids = list.split('\n').filter((line) => line.includes('name=sessionkit-near-cache') && pattern.test(line));
  for (const line of ids) await server.cli('client', 'kill', 'id', /id=(\d+)/.exec(line)![1]!);
}

function print(label: string, faults: Fault[], outcome: Outcome): void {
  console.log(`near cache soak, ${label}; faults: ${faults.map((f) => f.name).join(', ')}`);
  console.log(
    `  reads ${outcome.reads} (${outcome.cachedReads} from the near cache), writes ${outcome.writes}, errors during faults ${outcome.errors}; ` +
      `reads within ${ALLOWED_MS} ms of another node's write ${outcome.exempt}; flushes per node ${outcome.flushes.join(', ')}`,
  );
  console.log(`  stale reads ${outcome.stale}, acknowledged writes lost ${outcome.lost}`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { seconds: { type: 'string', default: '20' } } });
  const seconds = Number(values.seconds);
  const options = { maxRetriesPerRequest: 1, commandTimeout: 1000 };
  let failed = false;

  const dir = await mkdtemp(join(tmpdir(), 'sessionkit-soak-near-'));
  try {
    const server = await startSoakRedis(dir);
    const faults: Fault[] = [
      { name: 'invalidation connections killed', run: () => killNearCacheConnections(server, 'invalidation') },
      { name: 'frozen 1.5 s', run: async () => void (await server.signal('SIGSTOP'), await sleep(1500), await server.signal('SIGCONT')) },
      { name: 'restarted', run: async () => void (await server.stop(), await sleep(500), await server.start()) },
      { name: 'data connections killed', run: () => killNearCacheConnections(server, 'data') },
    ];
    const connect = () =>
      new Redis({ host: '127.0.0.1', port: server.port, ...options, retryStrategy: (times) => Math.min(times * 50, 500) }).on('error', () => {});
    const outcome = await phase(seconds, connect, faults);
    print(`${seconds} s, two nodes on one Redis`, faults, outcome);
    failed ||= outcome.stale > 0 || outcome.lost > 0;
    await server.stop();

    const { masters, replica } = await startSoakCluster(dir);
    const clusterFaults: Fault[] = [
      {
        name: 'invalidation connections killed on every master',
        run: async () => void (await Promise.all(masters.map((m) => killNearCacheConnections(m, 'invalidation')))),
      },
      {
        name: 'first master frozen 1.5 s',
        run: async () => void (await masters[0]!.signal('SIGSTOP'), await sleep(1500), await masters[0]!.signal('SIGCONT')),
      },
      { name: 'first master failed over to its replica', run: async () => void (await replica.cli('cluster', 'failover')) },
    ];
    const connectCluster = () =>
      new Cluster(
        masters.map((m) => ({ host: '127.0.0.1', port: m.port })),
        { redisOptions: options },
      ).on('error', () => {});
    const clusterOutcome = await phase(seconds, connectCluster, clusterFaults);
    print(`${seconds} s, two nodes on a three-master Cluster`, clusterFaults, clusterOutcome);
    failed ||= clusterOutcome.stale > 0 || clusterOutcome.lost > 0;
    await Promise.all([...masters, replica].map((s) => s.stop()));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  process.exitCode = failed ? 1 : 0;
}

await main();
