import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HEARTBEAT_MS } from '../../src/stores/near-cache-server.js';
import { RedisStore } from '../../src/stores/redis.js';
import { generateToken } from '../../src/token.js';
import { later } from '../support/time.js';
import { redisClient } from './fixtures/near-cache-clients.js';
import { waitFor } from './support/processes.js';
import { type RedisProcess, startRedis } from './support/redis-process.js';

// Faults need a server of our own: these tests kill its connections, restart and freeze it.
let server: (RedisProcess & { dispose(): Promise<void> }) | undefined;
let client: Redis;
let other: Redis;
let store: RedisStore;
const prefix = 'faults:';

beforeAll(async () => {
  server = await startRedis();
  client = await redisClient(server.port);
  other = await redisClient(server.port);
  store = new RedisStore({ client, prefix, nearCache: true, timeout: 1000 });
  await trackingIs(true);
});

afterAll(async () => {
  await store?.close();
  client?.disconnect();
  other?.disconnect();
  await server?.dispose();
});

async function trackingIs(up: boolean): Promise<void> {
  await waitFor(`tracking ${up ? 'up' : 'down'}`, async () => store.nearCacheStats()!.tracking === up, 10_000);
}

/** The id of the store's own connection: the invalidation one (subscribed) or the tracked data one. */
async function connectionId(kind: 'invalidation' | 'data'): Promise<string> {
  const lines = String(await other.client('LIST')).split('\n');
  const line = lines.find((entry) => entry.includes('name=sessionkit-near-cache') && /\bsub=1\b/.test(entry) === (kind === 'invalidation'));
  if (line === undefined) throw new Error(`no ${kind} connection`);
  return /\bid=(\d+)/.exec(line)![1]!;
}

/** Caches `token` with `data` through the store, and checks it is now served from memory. */
async function cached(token: string, data: Uint8Array): Promise<void> {
  await store.commit(token, data, later());
  expect(await store.find(token)).toEqual(data);
  expect(store.find(token)).toBeInstanceOf(Uint8Array);
}

describe('RedisStore near cache under faults', () => {
  it('does not serve an entry across the loss of its invalidation connection, when a write happened meanwhile', async () => {
    const token = generateToken();
    await cached(token, Uint8Array.of(1));
    const flushes = store.nearCacheStats()!.flushes;
    // The write lands after the kill: its invalidation has nowhere to go.
    await other
      .pipeline()
      .client('KILL', 'ID', await connectionId('invalidation'))
      .set(prefix + token, Buffer.of(2), 'PX', 60_000)
      .exec();
    await waitFor('a flush', async () => store.nearCacheStats()!.flushes > flushes);
    await trackingIs(true);
    expect(await store.find(token)).toEqual(Uint8Array.of(2));
  });

  it('tracks again after its data connection reconnects, so a later write by another client still invalidates', async () => {
    const token = generateToken();
    await cached(token, Uint8Array.of(1));
    const flushes = store.nearCacheStats()!.flushes;
    await other.client('KILL', 'ID', await connectionId('data'));
    await waitFor('a flush', async () => store.nearCacheStats()!.flushes > flushes);
    await trackingIs(true);
    expect(await store.find(token)).toEqual(Uint8Array.of(1)); // read again on the reconnected connection
    expect(store.find(token)).toBeInstanceOf(Uint8Array);
    await other.set(prefix + token, Buffer.of(3), 'PX', 60_000);
    await waitFor('the write seen', async () => (await store.find(token))?.[0] === 3, 3000);
  });

  it('after a restart of Redis serves what the restarted server holds, never the old cache', async () => {
    const token = generateToken();
    await cached(token, Uint8Array.of(1));
    await server!.stop();
    await trackingIs(false);
    await expect(store.find(token)).rejects.toThrow(/^sessionkit: redis store: GET failed$/);
    await server!.start();
    await waitFor('the client back', async () => (await other.ping()) === 'PONG');
    await other.set(prefix + token, Buffer.of(4), 'PX', 60_000);
    await trackingIs(true);
    expect(await store.find(token)).toEqual(Uint8Array.of(4));
    await other.del(prefix + token);
    await waitFor('the delete seen', async () => (await store.find(token)) === undefined, 3000);
  });

  it('flushes when Redis flushes its keys (FLUSHALL)', async () => {
    const token = generateToken();
    await cached(token, Uint8Array.of(1));
    const flushes = store.nearCacheStats()!.flushes;
    await other.flushall();
    await waitFor('a flush', async () => store.nearCacheStats()!.flushes > flushes);
    expect(await store.find(token)).toBeUndefined();
  });

  it('frozen (SIGSTOP): cached reads go on until the heartbeat goes unanswered, then stop; writes after the thaw are seen', async () => {
    const token = generateToken();
    const cold = generateToken();
    await cached(token, Uint8Array.of(1));
    await other.set(prefix + cold, Buffer.of(1), 'PX', 60_000); // written by another client: not cached
    await server!.pause();
    const frozenAt = Date.now();
    try {
      expect(store.find(token)).toEqual(Uint8Array.of(1)); // nobody can write to a frozen server
      await expect(store.find(cold)).rejects.toThrow(/^sessionkit: redis store: GET failed$/);
      await trackingIs(false); // the invalidation connection answers no PING
      expect(Date.now() - frozenAt).toBeLessThan(2 * HEARTBEAT_MS + 1000);
      const found = store.find(token);
      expect(found).toBeInstanceOf(Promise);
      (found as Promise<unknown>).catch(() => {});
    } finally {
      await server!.resume();
    }
    await waitFor('the client back', async () => (await other.ping()) === 'PONG');
    await other.set(prefix + token, Buffer.of(5), 'PX', 60_000);
    await trackingIs(true);
    await waitFor('the write seen', async () => (await store.find(token))?.[0] === 5, 3000);
  });
});
