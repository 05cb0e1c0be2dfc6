import type { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisStore } from '../../src/stores/redis.js';
import { storeConformance } from '../../src/testing/index.js';
import { generateToken } from '../../src/token.js';
import { ownerStoreBehaviours } from './support/owner-store-tests.js';
import { startRedisCluster, type RedisCluster } from './support/redis-process.js';
import { redisClients } from './support/redis-clients.js';

let cluster: RedisCluster | undefined;

beforeAll(async () => {
  cluster = await startRedisCluster();
});

afterAll(async () => {
  await cluster?.dispose();
});

describe.each(redisClients)('with $name', (library) => {
  let client: Cluster;
  // Both clients share the cluster: each writes under its own prefix.
  const tag = `ioredis${library.major}:`;

  beforeAll(async () => {
    client = new library.Cluster(
      cluster!.ports.map((port) => ({ host: '127.0.0.1', port })),
      { lazyConnect: true, enableOfflineQueue: false, redisOptions: { maxRetriesPerRequest: 1, commandTimeout: 5000 } },
    );
    await client.connect();
  });

  afterAll(async () => {
    await client?.quit();
  });

  storeConformance('RedisStore on a three-master Redis Cluster', () => new RedisStore({ client, prefix: `${tag}scs:session:` }));

  describe('RedisStore on a Redis Cluster', () => {
    it('spreads sessions over every master and lists them all from all()', async () => {
      const store = new RedisStore({ client, prefix: `${tag}spread:` });
      const tokens = Array.from({ length: 60 }, () => generateToken());
      await Promise.all(tokens.map((token, i) => store.commit(token, Uint8Array.of(i), Date.now() + 60_000)));
      const masters = client.nodes('master');
      expect(masters).toHaveLength(3);
      const perMaster = await Promise.all(masters.map((node) => node.keys(`${tag}spread:*`)));
      for (const keys of perMaster) expect(keys.length).toBeGreaterThan(0);
      const listed = new Map<string, number>();
      for await (const [token, data] of store.all()) listed.set(token, data[0]!);
      expect(listed.size).toBe(60);
      tokens.forEach((token, i) => expect(listed.get(token)).toBe(i));
    });
  });

  describe('RedisStore conditional commits and owner index on a Redis Cluster', () => {
    ownerStoreBehaviours(() => new RedisStore({ client, prefix: `${tag}owned:` }));

    it('lists an owner whose sessions live on every master, its set on yet another slot', async () => {
      const store = new RedisStore({ client, prefix: `${tag}spread-owned:` });
      const tokens = Array.from({ length: 30 }, () => generateToken());
      await Promise.all(tokens.map((token, i) => store.commitIf(token, undefined, Uint8Array.of(i), Date.now() + 60_000, 'grace')));
      const perMaster = await Promise.all(client.nodes('master').map((node) => node.keys(`${tag}spread-owned:*`)));
      for (const keys of perMaster) expect(keys.length).toBeGreaterThan(0);
      await store.delete(tokens[0]!);
      const found = await store.findByOwner('grace');
      expect(found.map((entry) => entry.key).sort()).toEqual(tokens.slice(1).sort());
      expect(await client.scard(`${tag}spread-owned:user:grace`)).toBe(29);
    });
  });
});
