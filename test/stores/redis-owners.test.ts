import type { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { RedisStore } from '../../src/stores/redis.js';
import { generateToken } from '../../src/token.js';
import { ownerStoreBehaviours } from './support/owner-store-tests.js';
import { randomSuffix } from './support/processes.js';
import { REDIS } from './support/shared-servers.js';
import { later, sleep } from '../support/time.js';
import { redisKeys } from './support/databases.js';
import { startRedis } from './support/redis-process.js';
import { redisClients } from './support/redis-clients.js';

describe.each(redisClients)('with $name', (library) => {
  const { client, run, prefix } = redisKeys(library);

  /** A client that records the name of every command the store sends, pipelined ones included. */
  function recordingClient(commands: string[]): Redis {
    const record = <T extends object>(target: T): T =>
      new Proxy(target, {
        get(object, property, receiver) {
          const value = Reflect.get(object, property, receiver);
          if (typeof value !== 'function' || typeof property !== 'string') return value;
          return (...args: unknown[]) => {
            if (!['exec', 'then'].includes(property)) commands.push(property);
            const result = value.apply(object, args);
            return property === 'pipeline' ? record(result as object) : result === object ? receiver : result;
          };
        },
      });
    return record(client);
  }

  describe('RedisStore conditional commits and owner index', () => {
    ownerStoreBehaviours(() => new RedisStore({ client, prefix }));

    it('keeps an owner set at <prefix>user:<owner> that lives as long as its longest-lived member', async () => {
      const store = new RedisStore({ client, prefix });
      const owner = `alice-${randomSuffix()}`;
      const [a, b] = [generateToken(), generateToken()];
      const far = Date.now() + 120_000;
      await store.commit(a, Uint8Array.of(1), far, owner);
      await store.commitIf(b, undefined, Uint8Array.of(2), Date.now() + 60_000, owner);
      const setKey = `${prefix}user:${owner}`;
      expect((await client.smembers(setKey)).sort()).toEqual([a, b].sort());
      expect(await client.pexpiretime(setKey)).toBe(far - 1); // never pulled in by the shorter member
      await store.touch(b, far + 5000, owner);
      expect(await client.pexpiretime(setKey)).toBe(far + 4999);
      await store.touch(a, far + 1000); // without the owner, the set is not touched
      expect(await client.pexpiretime(setKey)).toBe(far + 4999);
    });

    it('prunes members whose session is gone from the set when listing', async () => {
      const store = new RedisStore({ client, prefix });
      const owner = `bob-${randomSuffix()}`;
      const [kept, deleted, expired] = [generateToken(), generateToken(), generateToken()];
      await store.commit(kept, Uint8Array.of(1), later(), owner);
      await store.commit(deleted, Uint8Array.of(2), later(), owner);
      await store.commit(expired, Uint8Array.of(3), Date.now() + 30, owner);
      await store.delete(deleted);
      await sleep(60);
      expect((await client.smembers(`${prefix}user:${owner}`)).length).toBe(3); // pruning is lazy
      expect((await store.findByOwner(owner)).map((entry) => entry.key)).toEqual([kept]);
      expect(await client.smembers(`${prefix}user:${owner}`)).toEqual([kept]);
    });

    it('lists an owner with GET and PEXPIRETIME of its own members only, never a scan', async () => {
      const plainStore = new RedisStore({ client, prefix });
      const owner = `carol-${randomSuffix()}`;
      const mine = [generateToken(), generateToken(), generateToken()];
      await Promise.all(mine.map((token) => plainStore.commit(token, Uint8Array.of(1), later(), owner)));
      await Promise.all(Array.from({ length: 200 }, (_, i) => plainStore.commit(generateToken(), Uint8Array.of(2), later(), `other-${i % 7}`)));
      const commands: string[] = [];
      const store = new RedisStore({ client: recordingClient(commands), prefix });
      expect((await store.findByOwner(owner)).map((entry) => entry.key).sort()).toEqual(mine.sort());
      expect(commands.filter((name) => name !== 'pipeline').sort()).toEqual(['smembers', ...mine.flatMap(() => ['getBuffer', 'pexpiretime'])].sort());
    });

    it('skips the owner sets in all(): they are not sessions', async () => {
      const base = `${run}-all:`;
      const store = new RedisStore({ client, prefix: base });
      const token = generateToken();
      await store.commit(token, Uint8Array.of(4), later(), 'dave');
      const listed: string[] = [];
      for await (const [found] of store.all()) listed.push(found);
      expect(listed).toEqual([token]);
      expect(await client.type(`${base}user:dave`)).toBe('set');
    });

    it('runs its scripts on a server that has flushed its script cache (EVAL after NOSCRIPT)', async () => {
      // SCRIPT FLUSH empties the cache for every client of a server, so it runs on a private one.
      const server = await startRedis();
      const own = new library.Redis({ host: '127.0.0.1', port: server.port, maxRetriesPerRequest: 1 });
      try {
        const store = new RedisStore({ client: own, prefix });
        const token = generateToken();
        expect(await store.commitIf(token, undefined, Uint8Array.of(1), later(), 'erin')).toBe(true);
        await own.script('FLUSH');
        expect(await store.commitIf(token, Uint8Array.of(1), Uint8Array.of(2), later(), 'erin')).toBe(true);
        expect(await store.find(token)).toEqual(Uint8Array.of(2));
      } finally {
        own.disconnect();
        await server.dispose();
      }
    }, 30_000);

    it('names the failed command when the server is unreachable', async () => {
      const dead = new library.Redis({ ...REDIS, port: 1, lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
      dead.on('error', () => {});
      const store = new RedisStore({ client: dead, prefix });
      await expect(store.commitIf(generateToken(), undefined, Uint8Array.of(1), later())).rejects.toThrow(/^sessionkit: redis store: EVALSHA failed$/);
      await expect(store.findByOwner('frank')).rejects.toThrow(/^sessionkit: redis store: SMEMBERS failed$/);
      dead.disconnect();
    });
  });
});
