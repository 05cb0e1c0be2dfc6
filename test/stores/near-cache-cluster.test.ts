import type { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisStore } from '../../src/stores/redis.js';
import { storeConformance } from '../../src/testing/index.js';
import { generateToken } from '../../src/token.js';
import { later } from '../support/time.js';
import { clusterClient } from './fixtures/near-cache-clients.js';
import { type AppNode, startNode } from './fixtures/near-cache-nodes.js';
import { waitFor } from './support/processes.js';
import { type RedisCluster, startRedisCluster } from './support/redis-process.js';

let cluster: RedisCluster | undefined;
let client: Cluster;
let other: Cluster;
const stores: RedisStore[] = [];
const nodes: AppNode[] = [];

beforeAll(async () => {
  cluster = await startRedisCluster();
  client = await clusterClient(cluster.ports);
  other = await clusterClient(cluster.ports);
}, 60_000);

afterAll(async () => {
  await Promise.all(stores.map((store) => store.close()));
  await Promise.all(nodes.map((node) => node.send({ op: 'close' }).catch(() => node.kill())));
  await client?.quit();
  await other?.quit();
  await cluster?.dispose();
});

async function trackingStore(prefix: string): Promise<RedisStore> {
  const store = new RedisStore({ client, prefix, nearCache: true });
  stores.push(store);
  await waitFor('tracking on every master', async () => store.nearCacheStats()!.tracking, 10_000);
  return store;
}

/** The connection ids of the store's invalidation connections, one per master. */
async function invalidationConnections(): Promise<{ node: ReturnType<Cluster['nodes']>[number]; id: string }[]> {
  const found = [];
  for (const node of other.nodes('master')) {
    for (const line of String(await node.client('LIST')).split('\n')) {
      if (line.includes('name=sessionkit-near-cache') && /\bsub=1\b/.test(line)) found.push({ node, id: /\bid=(\d+)/.exec(line)![1]! });
    }
  }
  return found;
}

storeConformance('RedisStore with the near cache on a three-master Redis Cluster', () => trackingStore('conformance:'));

describe('RedisStore near cache on a Redis Cluster', () => {
  it('tracks on every master: a write by another client to a key on any master invalidates it', async () => {
    const store = await trackingStore('spread:');
    const tokens = Array.from({ length: 30 }, () => generateToken());
    for (const token of tokens) await store.commit(token, Uint8Array.of(1), later());
    for (const token of tokens) await store.find(token);
    const perMaster = await Promise.all(other.nodes('master').map((node) => node.keys('spread:*')));
    for (const keys of perMaster) expect(keys.length).toBeGreaterThan(0);
    for (const token of tokens) expect(store.find(token)).toBeInstanceOf(Uint8Array);
    await Promise.all(tokens.map((token) => other.set(`spread:${token}`, Buffer.of(2), 'PX', 60_000)));
    await waitFor('every write seen', async () => {
      const found = await Promise.all(tokens.map(async (token) => (await store.find(token))?.[0]));
      return found.every((value) => value === 2);
    });
  });

  it("flushes when one master's invalidation connection is lost, and tracks that master again", async () => {
    await Promise.all(stores.splice(0).map((earlier) => earlier.close())); // so the connections found below are this store's
    const store = await trackingStore('lost:');
    const token = generateToken();
    await store.commit(token, Uint8Array.of(1), later());
    await store.find(token);
    const flushes = store.nearCacheStats()!.flushes;
    const connections = await invalidationConnections();
    expect(connections).toHaveLength(3);
    const victim = connections[0];
    await victim!.node.client('KILL', 'ID', victim!.id);
    await waitFor('a flush', async () => store.nearCacheStats()!.flushes > flushes);
    await waitFor('tracking again', async () => store.nearCacheStats()!.tracking);
    expect(store.find(token)).toBeInstanceOf(Promise);
    await store.find(token);
    await other.set(`lost:${token}`, Buffer.of(3), 'PX', 60_000);
    await waitFor('the write seen', async () => (await store.find(token))?.[0] === 3);
  });

  it('two app processes on the Cluster: a write and a destroy on one are seen by the other', { timeout: 60_000 }, async () => {
    const [a, b] = await Promise.all([startNode('nodes:', cluster!.ports), startNode('nodes:', cluster!.ports)]);
    nodes.push(a!, b!);
    await Promise.all([a!.tracking(), b!.tracking()]);
    const tokens = Array.from({ length: 12 }, () => generateToken());
    for (const token of tokens) {
      await a!.send({ op: 'commit', token, data: '01', expiresAt: later() });
      await b!.send({ op: 'find', token });
      expect(await b!.send({ op: 'find', token })).toMatchObject({ data: '01', cached: true });
    }
    for (const token of tokens) await a!.send({ op: 'commit', token, data: '02', expiresAt: later() });
    await waitFor('writes seen', async () => (await Promise.all(tokens.map((token) => b!.send({ op: 'find', token })))).every((r) => r.data === '02'));
    for (const token of tokens) await a!.send({ op: 'delete', token });
    await waitFor('destroys seen', async () => (await Promise.all(tokens.map((token) => b!.send({ op: 'find', token })))).every((r) => r.data === null));
    expect((await b!.send({ op: 'commitIf', token: tokens[0], expected: '02', data: '03', expiresAt: later() })).written).toBe(false);
  });
});
