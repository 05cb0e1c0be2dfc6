import { describe, expect, it, vi } from 'vitest';
import { RedisStore } from '../../src/stores/redis.js';
import { storeConformance } from '../../src/testing/index.js';
import { generateToken } from '../../src/token.js';
import { REDIS } from './support/shared-servers.js';
import { redisKeys } from './support/databases.js';
import { redisClients } from './support/redis-clients.js';

describe.each(redisClients)('with $name', (library) => {
  const { client, run, prefix } = redisKeys(library);

  storeConformance('RedisStore', () => new RedisStore({ client, prefix }));

  describe('RedisStore', () => {
    it('runs on the ioredis major the title names', async () => {
      expect(library.major).toBe(redisClients.indexOf(library) + 5);
      // ioredis 6 speaks RESP3 by default, 5 only RESP2: the store works with either protocol
      const hello = (await client.call('HELLO')) as unknown[];
      expect(hello[hello.indexOf('proto') + 1]).toBe(library.major === 6 ? 3 : 2);
    });

    it('uses SCS key layout by default: scs:session:<token>, value the bytes', async () => {
      const store = new RedisStore({ client });
      const token = generateToken();
      await store.commit(token, Uint8Array.of(1, 2, 3), Date.now() + 60_000);
      expect(await client.getBuffer(`scs:session:${token}`)).toEqual(Buffer.from([1, 2, 3]));
      await store.delete(token);
      expect(await client.exists(`scs:session:${token}`)).toBe(0);
    });

    it('sets the expiry with the write, so the key is gone from the moment expiresAt is reached', async () => {
      const store = new RedisStore({ client, prefix });
      const token = generateToken();
      const expiresAt = Date.now() + 60_000;
      await store.commit(token, Uint8Array.of(1), expiresAt);
      // Redis keeps a key while its clock is <= PXAT; the Store contract keeps it while Date.now() < expiresAt.
      expect(await client.pexpiretime(prefix + token)).toBe(expiresAt - 1);
      await store.touch(token, expiresAt + 1000);
      expect(await client.pexpiretime(prefix + token)).toBe(expiresAt + 999);
    });

    it('does not write a session whose expiry is past, and deletes the old one', async () => {
      const store = new RedisStore({ client, prefix });
      const token = generateToken();
      await store.commit(token, Uint8Array.of(1), Date.now() + 60_000);
      await store.commit(token, Uint8Array.of(2), 0); // SET ... PXAT 0 would be an error in Redis
      expect(await client.exists(prefix + token)).toBe(0);
    });

    it('matches the prefix literally in all(), glob characters included', async () => {
      const base = `${run}-glob`;
      const store = new RedisStore({ client, prefix: `${base}[ab]*:` });
      const token = generateToken();
      await store.commit(token, Uint8Array.of(7), Date.now() + 60_000);
      await client.set(`${base}a-not-ours:${generateToken()}`, 'x', 'PX', 60_000);
      const listed: string[] = [];
      for await (const [found] of store.all()) listed.push(found);
      expect(listed).toEqual([token]);
    });

    it('reads a key of another type under a session key as not found, and reports that once, without the key', async () => {
      const store = new RedisStore({ client, prefix: `${run}-types:` });
      const hash = generateToken();
      const list = generateToken();
      const live = generateToken();
      await client.hset(`${run}-types:${hash}`, 'field', 'value');
      await client.rpush(`${run}-types:${list}`, 'x');
      await store.commit(live, Uint8Array.of(5), Date.now() + 60_000);
      const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
      try {
        expect(await store.find(hash)).toBeUndefined();
        expect(await store.find(list)).toBeUndefined();
        const listed = new Map<string, Uint8Array>();
        for await (const [token, data] of store.all()) listed.set(token, data);
        expect([...listed]).toEqual([[live, Uint8Array.of(5)]]);
        expect(warn).toHaveBeenCalledTimes(1);
        expect(String(warn.mock.calls[0]![0])).toMatch(/^sessionkit: redis store: a key under the prefix .* holds a value that is not a string/);
        expect(String(warn.mock.calls[0]![0])).not.toContain(hash);
      } finally {
        warn.mockRestore();
      }
      await store.commit(hash, Uint8Array.of(6), Date.now() + 60_000); // a commit replaces the foreign key
      expect(await store.find(hash)).toEqual(Uint8Array.of(6));
    });

    it('close() leaves the client open: it belongs to the caller', async () => {
      const store = new RedisStore({ client, prefix });
      await store.close();
      expect(await client.ping()).toBe('PONG');
      expect(client.status).toBe('ready');
    });

    it('rejects bad options with a TypeError naming the option', () => {
      expect(() => new RedisStore({} as never)).toThrow(/option client/);
      expect(() => new RedisStore(undefined as never)).toThrow(TypeError);
      expect(() => new RedisStore({ client, prefix: '' })).toThrow(/option prefix/);
      const prefixed = new library.Redis({ ...REDIS, lazyConnect: true, keyPrefix: 'app:' });
      expect(() => new RedisStore({ client: prefixed })).toThrow(/option client must not set ioredis's keyPrefix/);
      prefixed.disconnect();
    });
  });
});
