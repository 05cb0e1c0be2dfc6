import { inspect } from 'node:util';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisStore } from '../../src/stores/redis.js';
import { generateToken } from '../../src/token.js';
import { eventually, expectFastFailure } from './support/failure.js';
import { startRedis, type RedisProcess } from './support/redis-process.js';
import { later } from '../support/time.js';
import { redisClients } from './support/redis-clients.js';

describe.each(redisClients)('with $name', (library) => {
  let server: (RedisProcess & { dispose(): Promise<void> }) | undefined;
  let client: Redis;
  let store: RedisStore;

  beforeAll(async () => {
    server = await startRedis();
    // The client settings the README recommends: fail fast instead of queueing while disconnected.
    client = new library.Redis({
      host: '127.0.0.1',
      port: server.port,
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      commandTimeout: 1000,
      retryStrategy: (times) => Math.min(times * 100, 1000),
    });
    client.on('error', () => {}); // reconnect errors are expected here; an app would log them
    await client.connect();
    store = new RedisStore({ client });
  });

  afterAll(async () => {
    client?.disconnect();
    await server?.dispose();
  });

  describe('RedisStore when its server fails', () => {
    it('rejects at once while the server is down, then works again once it is back', async () => {
      const token = generateToken();
      await store.commit(token, Uint8Array.of(1), later());
      await server!.stop();

      await expectFastFailure(() => store.find(token), /^sessionkit: redis store: GET failed$/);
      await expectFastFailure(() => store.commit(token, Uint8Array.of(2), later()), /^sessionkit: redis store: SET failed$/);
      await expectFastFailure(() => store.delete(token), /^sessionkit: redis store: DEL failed$/);
      await expectFastFailure(() => store.touch(token, later()), /^sessionkit: redis store: PEXPIREAT failed$/);
      await expectFastFailure(async () => {
        for await (const entry of store.all()) void entry;
      }, /^sessionkit: redis store: SCAN failed$/);

      await server!.start(); // same port; the data is gone (nothing saved), the store must simply work again
      const again = generateToken();
      await eventually(() => store.commit(again, Uint8Array.of(3), later()));
      expect(await store.find(again)).toEqual(Uint8Array.of(3));
    });

    it('rejects within commandTimeout when the server hangs, then works again once it answers', async () => {
      const token = generateToken();
      await store.commit(token, Uint8Array.of(4), later());
      await server!.pause();
      try {
        const error = await expectFastFailure(() => store.find(token), /^sessionkit: redis store: GET failed$/, 2500);
        expect(String((error.cause as Error).message)).toMatch(/timed out/i);
      } finally {
        await server!.resume();
      }
      expect(await eventually(async () => store.find(token))).toEqual(Uint8Array.of(4));
    });

    it('keeps the token and the session data out of the error and its cause (ioredis puts the command arguments on its errors)', async () => {
      await eventually(() => client.ping());
      await client.config('SET', 'maxmemory', '1'); // every write is now refused with OOM, a reply error that carries its command
      try {
        const token = generateToken();
        const data = new TextEncoder().encode('user=alice@example.com');
        const error = await expectFastFailure(() => store.commit(token, data, later()), /^sessionkit: redis store: SET failed$/);
        expect((error.cause as Error).message).toMatch(/^OOM /);
        const shown = inspect(error, { depth: 10 });
        expect(shown).not.toContain(token);
        expect(shown).not.toContain('alice');
        expect(shown).not.toMatch(/<Buffer|Uint8Array/);
      } finally {
        await client.config('SET', 'maxmemory', '0');
      }
    });
  });
});
