import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { RedisStore } from '../../src/stores/redis.js';
import { storeConformance } from '../../src/testing/index.js';
import { generateToken } from '../../src/token.js';
import { later, sleep } from '../support/time.js';
import { redisClient } from './fixtures/near-cache-clients.js';
import { randomSuffix } from './support/processes.js';
import { REDIS, requireRedis } from './support/shared-servers.js';
import { redisClients } from './support/redis-clients.js';
import { ownerStoreBehaviours } from './support/owner-store-tests.js';

const prefix = `sessionkit-test:${randomSuffix()}:`;
let client: Redis;
let other: Redis; // another application: a plain client writing the same keys
const stores: RedisStore[] = [];

beforeAll(async () => {
  await requireRedis();
  client = await redisClient();
  other = await redisClient();
});

afterAll(async () => {
  await Promise.all(stores.map((store) => store.close()));
  const keys = await client.keys(`${prefix}*`);
  if (keys.length > 0) await client.unlink(...keys);
  await client.quit();
  await other.quit();
});

function nearStore(nearCache: ConstructorParameters<typeof RedisStore>[0]['nearCache'] = true): RedisStore {
  const store = new RedisStore({ client, prefix, nearCache });
  stores.push(store);
  return store;
}

/** Resolves once the store's tracking is up (its connections are made asynchronously). */
async function tracking(store: RedisStore): Promise<RedisStore> {
  for (let i = 0; i < 200 && !store.nearCacheStats()!.tracking; i++) await sleep(10);
  expect(store.nearCacheStats()!.tracking).toBe(true);
  return store;
}

/** Polls `find` until it returns something other than `stale`, for at most `ms`. */
async function until(store: RedisStore, token: string, stale: Uint8Array | undefined, ms = 2000): Promise<Uint8Array | undefined> {
  const deadline = Date.now() + ms;
  for (;;) {
    const found = await store.find(token);
    if (!equal(found, stale) || Date.now() > deadline) return found;
    await sleep(1);
  }
}

/** True when `find` answered from the cache (synchronously). */
function servedFromCache(store: RedisStore, token: string): boolean {
  const found = store.find(token);
  if (found instanceof Promise) found.catch(() => {});
  return found instanceof Uint8Array;
}

function equal(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  return a === b || (a !== undefined && b !== undefined && Buffer.compare(a, b) === 0);
}

storeConformance('RedisStore with the near cache', async () => tracking(new RedisStore({ client, prefix, nearCache: true })));

describe('RedisStore with the near cache: conditional commits and owner index', () => {
  ownerStoreBehaviours(() => nearStore());
});

describe('RedisStore near cache', () => {
  it('answers a repeated read from memory, synchronously, with the same bytes object', async () => {
    const store = await tracking(nearStore());
    const token = generateToken();
    await other.set(prefix + token, Buffer.of(1, 2), 'PX', 60_000);
    const first = await store.find(token);
    const second = store.find(token);
    expect(second).toBeInstanceOf(Uint8Array);
    expect(second).toBe(first);
    expect(store.stableBytes).toBe(true);
    expect(store.nearCacheStats()).toMatchObject({ hits: 1, misses: 1, entries: 1, tracking: true });
  });

  it('keeps what its own commit and commitIf wrote, and still hears of the next write by another client', async () => {
    const store = await tracking(nearStore());
    const token = generateToken();
    await store.commit(token, Uint8Array.of(1), later());
    await sleep(50); // Redis does not report a store's own write back to it (NOLOOP), which would drop the entry
    expect(store.find(token)).toEqual(Uint8Array.of(1)); // synchronously: no read after the write
    await other.set(prefix + token, Buffer.of(2), 'PX', 60_000);
    expect(await until(store, token, Uint8Array.of(1))).toEqual(Uint8Array.of(2));
    expect(await store.commitIf(token, Uint8Array.of(2), Uint8Array.of(3), later())).toBe(true);
    expect(store.find(token)).toEqual(Uint8Array.of(3));
    await other.del(prefix + token);
    expect(await until(store, token, Uint8Array.of(3))).toBeUndefined();
  });

  it("does not keep a fresh token's session (commitIf without expected bytes): most are never loaded again", async () => {
    const store = await tracking(nearStore());
    const token = generateToken();
    expect(await store.commitIf(token, undefined, Uint8Array.of(1), later())).toBe(true);
    expect(servedFromCache(store, token)).toBe(false);
    expect(await store.find(token)).toEqual(Uint8Array.of(1));
  });

  it('keeps nothing from a commitIf whose condition failed', async () => {
    const store = await tracking(nearStore());
    const token = generateToken();
    await other.set(prefix + token, Buffer.of(2), 'PX', 60_000);
    expect(await store.commitIf(token, Uint8Array.of(1), Uint8Array.of(3), later())).toBe(false);
    expect(await store.find(token)).toEqual(Uint8Array.of(2));
  });

  it('keeps the last of concurrent commits of one token, as Redis does', async () => {
    const store = await tracking(nearStore());
    for (let round = 0; round < 20; round++) {
      const token = generateToken();
      await store.commit(token, Uint8Array.of(0), later());
      const reads = [store.find(token)];
      const writes = [1, 2, 3].map((value) => {
        const written = store.commit(token, Uint8Array.of(value), later());
        reads.push(store.find(token));
        return written;
      });
      await Promise.all([...writes, ...reads]);
      expect(await store.find(token)).toEqual(Uint8Array.from((await other.getBuffer(prefix + token))!));
    }
  });

  it('never keeps what a read in flight returned when a write of the key was sent after it', async () => {
    const store = await tracking(nearStore());
    for (let round = 0; round < 50; round++) {
      const token = generateToken();
      await other.set(prefix + token, Buffer.of(1), 'PX', 60_000);
      const read = store.find(token); // a miss: goes to Redis, on the connection the write takes next
      await store.commit(token, Uint8Array.of(2), later());
      expect(await read).toEqual(Uint8Array.of(1));
      expect(await store.find(token)).toEqual(Uint8Array.of(2));
    }
  });

  it('serves the entry while its own write is in flight, and the written bytes once it resolves', async () => {
    const store = await tracking(nearStore());
    const token = generateToken();
    await store.commit(token, Uint8Array.of(1), later());
    const written = store.commit(token, Uint8Array.of(2), later());
    expect(store.find(token)).toEqual(Uint8Array.of(1)); // a busy session (a write always in flight) still hits
    await written;
    expect(store.find(token)).toEqual(Uint8Array.of(2));
  });

  it('never serves the bytes from before a write that resolved, when a later write spoiled its filing', async () => {
    const store = await tracking(nearStore());
    for (let round = 0; round < 50; round++) {
      const token = generateToken();
      await store.commit(token, Uint8Array.of(0), later());
      const first = store.commit(token, Uint8Array.of(1), later());
      const second = store.commit(token, Uint8Array.of(2), later());
      await first;
      expect(await store.find(token)).not.toEqual(Uint8Array.of(0));
      await second;
      expect(await store.find(token)).toEqual(Uint8Array.of(2));
    }
  });

  it('keeps a written session only until its expiry', async () => {
    const store = await tracking(nearStore());
    const token = generateToken();
    await store.commit(token, Uint8Array.of(1), Date.now() + 150);
    expect(store.find(token)).toEqual(Uint8Array.of(1));
    await sleep(200);
    expect(await store.find(token)).toBeUndefined();
  });

  it('is off by default: no stats, no stable bytes', () => {
    const store = new RedisStore({ client, prefix });
    expect(store.nearCacheStats()).toBeUndefined();
    expect(store.stableBytes).toBe(false);
  });

  it('drops an entry when another client SETs or DELs its key', async () => {
    const store = await tracking(nearStore());
    const token = generateToken();
    await store.commit(token, Uint8Array.of(1), later());
    expect(await store.find(token)).toEqual(Uint8Array.of(1));
    await other.set(prefix + token, Buffer.of(2), 'PX', 60_000);
    expect(await until(store, token, Uint8Array.of(1))).toEqual(Uint8Array.of(2));
    await store.find(token); // cached again, and tracked again
    await other.del(prefix + token);
    expect(await until(store, token, Uint8Array.of(2))).toBeUndefined();
    expect(store.nearCacheStats()!.invalidations).toBeGreaterThanOrEqual(2);
  });

  it("serves a node's own commit, commitIf, touch and delete as soon as they resolve (read-your-writes)", async () => {
    const store = await tracking(nearStore());
    let stale = 0;
    for (let i = 0; i < 100; i++) {
      const token = generateToken();
      await store.commit(token, Uint8Array.of(1), later());
      await store.find(token);
      await store.commit(token, Uint8Array.of(2), later());
      if (!equal(await store.find(token), Uint8Array.of(2))) stale++;
      expect(await store.commitIf(token, Uint8Array.of(2), Uint8Array.of(3), later())).toBe(true);
      if (!equal(await store.find(token), Uint8Array.of(3))) stale++;
      await store.touch(token, later());
      if (servedFromCache(store, token)) stale++; // a hit here would carry the old expiry
      expect(await store.find(token)).toEqual(Uint8Array.of(3));
      await store.delete(token);
      if (servedFromCache(store, token)) stale++;
      expect(await store.find(token)).toBeUndefined();
    }
    expect(stale).toBe(0);
  });

  it('never returns a session from the cache past its expiry in Redis', async () => {
    const store = await tracking(nearStore());
    const token = generateToken();
    await store.commit(token, Uint8Array.of(1), Date.now() + 150);
    expect(await store.find(token)).toEqual(Uint8Array.of(1));
    expect(store.nearCacheStats()!.entries).toBeGreaterThan(0);
    await sleep(200);
    expect(await store.find(token)).toBeUndefined();
  });

  it('follows an expiry moved in by its own touch', async () => {
    const store = await tracking(nearStore());
    const token = generateToken();
    await store.commit(token, Uint8Array.of(1), later());
    await store.find(token);
    expect(await store.touch(token, Date.now() + 100)).toBe(true);
    await store.find(token);
    await sleep(150);
    expect(await store.find(token)).toBeUndefined();
  });

  it('reads a key of another type as not found through the tracked connection too, and warns once without the key', async () => {
    const store = await tracking(new RedisStore({ client, prefix: `${prefix}types:`, nearCache: true }));
    stores.push(store);
    const token = generateToken();
    await other.hset(`${prefix}types:${token}`, 'field', 'value');
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      expect(await store.find(token)).toBeUndefined();
      expect(await store.find(token)).toBeUndefined();
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0]![0])).not.toContain(token);
    } finally {
      warn.mockRestore();
    }
    expect(store.nearCacheStats()!.entries).toBe(0);
  });

  it('commitIf compares against Redis, not the cache', async () => {
    const store = await tracking(nearStore());
    const token = generateToken();
    await store.commit(token, Uint8Array.of(1), later());
    await store.find(token);
    await other.set(prefix + token, Buffer.of(9), 'PX', 60_000);
    expect(await store.commitIf(token, Uint8Array.of(1), Uint8Array.of(2), later())).toBe(false);
    expect(await store.commitIf(token, Uint8Array.of(9), Uint8Array.of(2), later())).toBe(true);
    expect(await store.find(token)).toEqual(Uint8Array.of(2));
  });

  it('caps an entry by maxStaleness even while tracking is up', async () => {
    const store = await tracking(nearStore({ maxStaleness: 50 }));
    const token = generateToken();
    await store.commit(token, Uint8Array.of(1), later());
    await store.find(token);
    expect(servedFromCache(store, token)).toBe(true);
    await sleep(80);
    expect(servedFromCache(store, token)).toBe(false);
  });

  it('keeps at most maxEntries sessions, least recently used out first', async () => {
    const store = await tracking(nearStore({ maxEntries: 3 }));
    const tokens = Array.from({ length: 5 }, () => generateToken());
    for (const token of tokens) await store.commit(token, Uint8Array.of(1), later());
    for (const token of tokens) await store.find(token);
    expect(store.nearCacheStats()!.entries).toBe(3);
    expect(servedFromCache(store, tokens[4]!)).toBe(true);
    expect(servedFromCache(store, tokens[0]!)).toBe(false);
  });

  it('close() closes its own connections and leaves the client open', async () => {
    const store = await tracking(new RedisStore({ client, prefix, nearCache: true }));
    const named = async () =>
      String(await client.client('LIST'))
        .split('\n')
        .filter((line: string) => line.includes('name=sessionkit-near-cache')).length;
    const before = await named();
    await store.close();
    for (let i = 0; i < 100 && (await named()) > before - 2; i++) await sleep(10);
    expect(await named()).toBe(before - 2);
    expect(store.nearCacheStats()!.tracking).toBe(false);
    expect(await client.ping()).toBe('PONG');
  });

  it('rejects bad nearCache options with a TypeError naming the option', () => {
    expect(() => new RedisStore({ client, nearCache: 1 as never })).toThrow(/option nearCache must be/);
    expect(() => new RedisStore({ client, nearCache: { maxEntries: 0 } })).toThrow(/option nearCache.maxEntries/);
    expect(() => new RedisStore({ client, nearCache: { maxBytes: 1.5 } })).toThrow(/option nearCache.maxBytes/);
    expect(() => new RedisStore({ client, nearCache: { maxStaleness: -1 } })).toThrow(/option nearCache.maxStaleness/);
  });
});

describe.each(redisClients)('RedisStore near cache on a client of $name', (library) => {
  it("drops an entry when another client SETs its key, whatever protocol the user's client speaks", async () => {
    const own = new library.Redis({ host: REDIS.host, port: REDIS.port, maxRetriesPerRequest: 1 });
    own.on('error', () => {});
    const store = await tracking(new RedisStore({ client: own, prefix, nearCache: true }));
    try {
      const token = generateToken();
      await store.commit(token, Uint8Array.of(1), later());
      expect(await store.find(token)).toEqual(Uint8Array.of(1));
      await other.set(prefix + token, Buffer.of(2), 'PX', 60_000);
      expect(await until(store, token, Uint8Array.of(1))).toEqual(Uint8Array.of(2));
      expect(store.nearCacheStats()!.invalidations).toBeGreaterThanOrEqual(1);
    } finally {
      await store.close();
      own.disconnect();
    }
  });
});
