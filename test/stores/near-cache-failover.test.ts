import { join } from 'node:path';
import type { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisStore } from '../../src/stores/redis.js';
import { generateToken } from '../../src/token.js';
import { later, sleep } from '../support/time.js';
import { clusterClient } from './fixtures/near-cache-clients.js';
import { freePort, removeDir, run, tempDir, waitFor } from './support/processes.js';
import { type RedisCluster, startRedisCluster } from './support/redis-process.js';

let cluster: RedisCluster | undefined;
let replica: { port: number; dir: string } | undefined;
let client: Cluster;
let other: Cluster;
let store: RedisStore | undefined;

const cli = (port: number, ...args: string[]) => run('redis-cli', ['-p', String(port), ...args]);

/** A cluster-enabled redis-server on a free port, joined as a replica of the master on `masterPort`. */
async function startReplica(masterPort: number): Promise<{ port: number; dir: string }> {
  const dir = await tempDir('redis-replica');
  const port = await freePort(10_000);
  await run('redis-server', [
    ...['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'yes'],
    ...['--dir', dir, '--logfile', join(dir, 'redis.log'), '--cluster-enabled', 'yes', '--cluster-config-file', join(dir, 'nodes.conf')],
  ]);
  await waitFor('the replica up', async () => (await cli(port, 'ping')).trim() === 'PONG');
  const masterId = (await cli(masterPort, 'cluster', 'myid')).trim();
  await run('redis-cli', ['--cluster', 'add-node', `127.0.0.1:${port}`, `127.0.0.1:${masterPort}`, '--cluster-slave', '--cluster-master-id', masterId]);
  await waitFor('the replica in sync', async () => (await cli(port, 'info', 'replication')).includes('master_link_status:up'));
  return { port, dir };
}

beforeAll(async () => {
  cluster = await startRedisCluster();
  replica = await startReplica(cluster.ports[0]!);
  client = await clusterClient(cluster.ports);
  other = await clusterClient(cluster.ports);
}, 120_000);

afterAll(async () => {
  await store?.close();
  client?.disconnect();
  other?.disconnect();
  if (replica) {
    await cli(replica.port, 'shutdown', 'nosave').catch(() => {});
    await removeDir(replica.dir);
  }
  await cluster?.dispose();
});

describe('RedisStore near cache through a Cluster failover', () => {
  it('serves no session older than a write acknowledged after the failover, beyond the invalidation allowance', { timeout: 90_000 }, async () => {
    store = new RedisStore({ client, prefix: 'failover:', nearCache: true });
    await waitFor('tracking', async () => store!.nearCacheStats()!.tracking);
    const tokens = Array.from({ length: 60 }, () => generateToken());
    for (const token of tokens) await store.commit(token, Uint8Array.of(1), later());
    const onFailingMaster = new Set((await cli(cluster!.ports[0]!, 'keys', 'failover:*')).trim().split('\n').filter(Boolean));
    expect(onFailingMaster.size).toBeGreaterThan(0);
    for (const token of tokens) await store.find(token);
    expect(store.nearCacheStats()!.entries).toBe(60);

    // Reads keep going on the store while the replica takes over and another client rewrites everything.
    let reading = true;
    const acked = new Map<string, number>();
    let stale = 0;
    let reads = 0;
    const reader = (async () => {
      while (reading) {
        for (const token of tokens) {
          const began = performance.now();
          const value = await Promise.resolve(store!.find(token)).catch(() => undefined);
          reads++;
          const ack = acked.get(token);
          if (ack !== undefined && ack + 100 < began && value?.[0] !== 2) stale++;
        }
        await sleep(1);
      }
    })();
    await cli(replica!.port, 'cluster', 'failover');
    await waitFor('the replica promoted', async () => (await cli(replica!.port, 'info', 'replication')).includes('role:master'));
    for (const token of tokens) {
      await other.set(`failover:${token}`, Buffer.of(2), 'PX', 60_000);
      acked.set(token, performance.now());
    }
    await sleep(1000);
    reading = false;
    await reader;
    console.log(`failover: ${reads} reads, ${stale} stale after the allowance; flushes ${store.nearCacheStats()!.flushes}`);
    expect(stale).toBe(0);
    for (const token of tokens) expect(await store.find(token)).toEqual(Uint8Array.of(2));
  });
});
