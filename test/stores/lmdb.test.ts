import { open } from 'lmdb';
import { describe, expect, it } from 'vitest';
import { LmdbStore } from '../../native-store/index.js';
import { SessionManager } from '../../src/index.js';
import { storeConformance } from '../../src/testing/index.js';
import { generateToken } from '../../src/token.js';
import { collectGarbage } from '../support/gc.js';
import { later, sleep } from '../support/time.js';
import { tempDirs } from '../support/temp-dirs.js';

const tempPath = tempDirs('lmdb');

const shared = tempPath();
storeConformance('LmdbStore', () => new LmdbStore({ path: shared }));
storeConformance('LmdbStore without the LRU tier', () => new LmdbStore({ path: tempPath(), cache: 0 }));

/** A root opened by the test, so tests can look at the store's two databases directly. */
function openRoot() {
  const root = open({ path: tempPath() });
  const records = root.openDB<Uint8Array, string | number>('sessionkit:sessions', { encoding: 'binary' });
  const index = root.openDB<Uint8Array, [number, string]>('sessionkit:expiry', { encoding: 'binary' });
  return { root, records, index, indexed: (token: string) => [...index.getKeys()].filter((key) => key[1] === token) };
}

storeConformance('LmdbStore on a user-opened env', () => new LmdbStore({ env: open({ path: tempPath() }) }));
storeConformance("LmdbStore with durability 'flushed'", () => new LmdbStore({ path: tempPath(), durability: 'flushed' }), { bigSession: 64 * 1024 });

describe('LmdbStore', () => {
  it("tells onDrop listeners of what its LRU tier evicts, and the manager's decode cache lets it go", async () => {
    const store = new LmdbStore({ path: tempPath(), cache: 1, sweepInterval: 0 });
    const heard: string[] = [];
    store.onDrop((key, _data, reason) => heard.push(`${reason}:${key === first ? 'first' : 'other'}`));
    const manager = new SessionManager<{ obj: { n: number } }>({ store });
    const session = await manager.load();
    session.put('obj', { n: 1 });
    const first = (await manager.commit(session)).token;
    const decoded = new WeakRef((await manager.load(first)).get('obj')!);
    const other = generateToken();
    await store.commit(other, Uint8Array.of(1), later());
    store.find(other); // the tier holds one entry: the first session's bytes go
    expect(heard).toContain('evicted:first');
    await collectGarbage();
    expect(decoded.deref()).toBeUndefined();
    await store.close();
  });

  it('rejects nonsense options with a TypeError naming the option', () => {
    const path = tempPath();
    expect(() => new LmdbStore({})).toThrow(/option path or option env/);
    expect(() => new LmdbStore({ path, env: open({ path: tempPath() }) })).toThrow(/exactly one/);
    expect(() => new LmdbStore({ path: '' })).toThrow(/option path/);
    expect(() => new LmdbStore({ env: {} as never })).toThrow(/option env/);
    expect(() => new LmdbStore({ path, cache: -1 })).toThrow(/option cache/);
    expect(() => new LmdbStore({ path, cache: 1.5 })).toThrow(TypeError);
    expect(() => new LmdbStore({ path, cacheMaxBytes: -1 })).toThrow(/option cacheMaxBytes/);
    expect(() => new LmdbStore({ path, sweepInterval: -1 })).toThrow(/option sweepInterval/);
    expect(() => new LmdbStore({ path, sweepInterval: Number.NaN })).toThrow(/option sweepInterval/);
    expect(() => new LmdbStore({ path, sweepBatch: 0 })).toThrow(/option sweepBatch/);
    expect(() => new LmdbStore({ path, durability: 'maybe' as never })).toThrow(/option durability/);
    expect(() => new LmdbStore({ path, name: '' })).toThrow(/option name/);
  });

  it('never closes an env the user opened', async () => {
    const { root, records } = openRoot();
    const store = new LmdbStore({ env: root, sweepInterval: 10 });
    const token = generateToken();
    await store.commit(token, Uint8Array.of(1), later());
    await store.close();
    await store.close();
    expect(records.getBinary(token)).toBeDefined();
    await root.put('still-open', 'yes');
    expect(root.get('still-open')).toBe('yes');
    await root.close();
  });

  describe('the LRU tier', () => {
    it('returns the same bytes object until the session changes (stableBytes)', async () => {
      const store = new LmdbStore({ path: tempPath(), sweepInterval: 0 });
      expect(store.stableBytes).toBe(true);
      const token = generateToken();
      await store.commit(token, Uint8Array.of(1, 2), later());
      const first = store.find(token);
      expect(store.find(token)).toBe(first);
      await store.touch(token, later() + 1000);
      expect(store.find(token)).toBe(first);
      await store.commit(token, Uint8Array.of(1, 2), later());
      const second = store.find(token);
      expect(second).toEqual(Uint8Array.of(1, 2));
      expect(second).not.toBe(first);
      await store.delete(token);
      expect(store.find(token)).toBeUndefined();
      await store.close();
    });

    it('is off with cache: 0, and then returns a fresh copy on each find', async () => {
      const store = new LmdbStore({ path: tempPath(), cache: 0, sweepInterval: 0 });
      expect(store.stableBytes).toBe(false);
      const token = generateToken();
      await store.commit(token, Uint8Array.of(1), later());
      expect(store.find(token)).not.toBe(store.find(token));
      await store.close();
    });

    it('is bounded by entries and by bytes', async () => {
      const store = new LmdbStore({ path: tempPath(), cache: 2, cacheMaxBytes: 100, sweepInterval: 0 });
      const [a, b, c, big] = [generateToken(), generateToken(), generateToken(), generateToken()];
      for (const token of [a, b, c]) await store.commit(token, Uint8Array.of(7), later());
      await store.commit(big, new Uint8Array(101), later());
      const fromA = store.find(a);
      store.find(b);
      store.find(c); // evicts a
      expect(store.find(a)).not.toBe(fromA);
      expect(store.find(big)).not.toBe(store.find(big)); // heavier than cacheMaxBytes: never cached
      await store.close();
    });

    it('returns a copy the store does not reuse for other reads', async () => {
      const store = new LmdbStore({ path: tempPath(), cache: 0, sweepInterval: 0 });
      const [a, b] = [generateToken(), generateToken()];
      await store.commit(a, Uint8Array.of(1, 1, 1), later());
      await store.commit(b, Uint8Array.of(2, 2, 2), later());
      const fromA = store.find(a);
      store.find(b);
      expect(fromA).toEqual(Uint8Array.of(1, 1, 1));
      await store.close();
    });
  });

  describe('the expiry index', () => {
    it('holds exactly one entry per live session through overwrite, touch and delete', async () => {
      const { root, indexed } = openRoot();
      const store = new LmdbStore({ env: root, sweepInterval: 0 });
      const token = generateToken();
      const first = Date.now() + 10_000;
      await store.commit(token, Uint8Array.of(1), first);
      expect(indexed(token)).toEqual([[first, token]]);
      await store.commit(token, Uint8Array.of(2), first + 5);
      expect(indexed(token)).toEqual([[first + 5, token]]);
      await store.touch(token, first + 10);
      expect(indexed(token)).toEqual([[first + 10, token]]);
      await store.commit(token, Uint8Array.of(3), first + 10.2); // fractional ms round up, never down
      expect(indexed(token)).toEqual([[first + 11, token]]);
      await store.delete(token);
      expect(indexed(token)).toEqual([]);
      await store.commit(token, Uint8Array.of(4), Date.now() - 1);
      expect(indexed(token)).toEqual([]);
      await store.commit(token, Uint8Array.of(5), first);
      await store.touch(token, Date.now() - 1);
      expect(indexed(token)).toEqual([]);
      await store.close();
      await root.close();
    });

    it('never returns an expired session, and the sweep deletes it in bounded batches', async () => {
      const { root, records, index } = openRoot();
      const store = new LmdbStore({ env: root, sweepInterval: 0, sweepBatch: 3 });
      const short = Array.from({ length: 10 }, () => generateToken());
      const long = generateToken();
      await Promise.all(short.map((token) => store.commit(token, Uint8Array.of(1), Date.now() + 30)));
      await store.commit(long, Uint8Array.of(2), later());
      await sleep(60);
      for (const token of short) {
        expect(store.find(token)).toBeUndefined();
        expect(records.getBinary(token)).toBeDefined(); // still on disk: expiry is checked on read
      }
      let seen = 0;
      for await (const [token] of store.all()) if (short.includes(token)) seen++;
      expect(seen).toBe(0);
      expect(await store.sweep()).toBe(10);
      for (const token of short) expect(records.getBinary(token)).toBeUndefined();
      expect([...index.getKeys()]).toEqual([[expect.any(Number), long]]);
      expect(store.find(long)).toEqual(Uint8Array.of(2));
      expect(await store.sweep()).toBe(0);
      await store.close();
      await root.close();
    });

    it('sweeps on its timer', async () => {
      const { root, records } = openRoot();
      const store = new LmdbStore({ env: root, sweepInterval: 20 });
      const token = generateToken();
      await store.commit(token, Uint8Array.of(1), Date.now() + 10);
      for (let i = 0; i < 50 && records.getBinary(token) !== undefined; i++) await sleep(20);
      expect(records.getBinary(token)).toBeUndefined();
      await store.close();
      await root.close();
    });

    it('stays complete when writes race, and the sweep drops the stale entries they leave', async () => {
      const { root, records, indexed } = openRoot();
      const store = new LmdbStore({ env: root, sweepInterval: 0 });
      const token = generateToken();
      const long = Date.now() + 60_000;
      await store.commit(token, Uint8Array.of(1), long);
      // Same turn, same batch: both commits read the previous expiry (long) from the same snapshot.
      // The first moves the entry to a short expiry; the second, whose expiry equals the snapshot's,
      // must still leave the entry of the record it writes.
      await Promise.all([store.commit(token, Uint8Array.of(2), Date.now() + 40), store.commit(token, Uint8Array.of(3), long)]);
      expect(store.find(token)).toEqual(Uint8Array.of(3));
      expect(indexed(token)).toContainEqual([long, token]);
      await sleep(60);
      expect(await store.sweep()).toBe(0); // the short entry is stale: the record's expiry is `long`
      expect(indexed(token)).toEqual([[long, token]]);
      expect(store.find(token)).toEqual(Uint8Array.of(3));

      // A commit and a delete racing: the record is gone, its stale entry is dropped by the sweep.
      await Promise.all([store.commit(token, Uint8Array.of(4), Date.now() + 40), store.delete(token)]);
      expect(records.getBinary(token)).toBeUndefined();
      await sleep(60);
      expect(await store.sweep()).toBe(0);
      expect(indexed(token)).toEqual([]);
      await store.close();
      await root.close();
    });

    it('does not delete a session whose expiry moved after it was indexed', async () => {
      const { root, records, index } = openRoot();
      const store = new LmdbStore({ env: root, sweepInterval: 0 });
      const token = generateToken();
      await store.commit(token, Uint8Array.of(1), later());
      // A stale index entry (e.g. left by another program): the record's own expiry wins.
      await index.put([Date.now() - 1000, token], new Uint8Array(0));
      expect(await store.sweep()).toBe(0);
      expect(records.getBinary(token)).toBeDefined();
      expect(store.find(token)).toEqual(Uint8Array.of(1));
      await store.close();
      await root.close();
    });
  });

  describe('bad bytes', () => {
    const valid = (data: Uint8Array, expiresAt = later()) => {
      const record = new Uint8Array(24 + data.length);
      record.set([0x73, 0x6b, 0x01, 0x00]);
      new DataView(record.buffer).setUint32(4, data.length, true);
      new DataView(record.buffer).setBigUint64(8, BigInt(expiresAt), true);
      record.set(data, 24);
      return record;
    };

    it('reads a hand-written record in the documented format', async () => {
      const { root, records } = openRoot();
      const store = new LmdbStore({ env: root, sweepInterval: 0 });
      await records.put('hand-written', valid(Uint8Array.of(4, 5, 6)));
      expect(store.find('hand-written')).toEqual(Uint8Array.of(4, 5, 6));
      const owned = Uint8Array.from([...valid(Uint8Array.of(7, 8)), ...new TextEncoder().encode('alice')]);
      owned[3] = 1;
      await records.put('hand-owned', owned);
      expect(store.find('hand-owned')).toEqual(Uint8Array.of(7, 8));
      await records.put('hand-expired', valid(Uint8Array.of(4), Date.now() - 1));
      expect(store.find('hand-expired')).toBeUndefined();
      await store.close();
      await root.close();
    });

    it('treats corrupted and foreign records as not found, never as a crash', async () => {
      const { root, records, index } = openRoot();
      const store = new LmdbStore({ env: root, sweepInterval: 0 });
      const good = valid(new Uint8Array(100).fill(9));
      const wrongMagic = good.slice();
      wrongMagic[0] = 0x00;
      const wrongFormat = good.slice();
      wrongFormat[2] = 0x02;
      const hugeExpiry = good.slice();
      hugeExpiry.fill(0xff, 8, 16);
      const ownerFlagNoOwner = good.slice();
      ownerFlagNoOwner[3] = 1;
      const unknownFlag = good.slice();
      unknownFlag[3] = 2;
      const ownerTooLong = Uint8Array.from([...good, ...new Uint8Array(766).fill(0x61)]);
      ownerTooLong[3] = 1;
      const bad: Record<string, Uint8Array> = {
        truncated: good.subarray(0, 60),
        extended: Uint8Array.from([...good, 1, 2, 3]),
        short: Uint8Array.of(0x73, 0x6b, 0x01),
        empty: new Uint8Array(0),
        wrongMagic,
        wrongFormat,
        hugeExpiry,
        ownerFlagNoOwner,
        unknownFlag,
        ownerTooLong,
        msgpack: Uint8Array.of(0x81, 0xa1, 0x61, 0x01),
        text: new TextEncoder().encode('{"session":"from another program"}'),
      };
      for (const [token, bytes] of Object.entries(bad)) {
        await records.put(token, bytes);
        await index.put([Date.now() - 1, token], new Uint8Array(0));
      }
      await records.put(42, good); // a key that is not a token at all
      for (const token of Object.keys(bad)) expect(store.find(token), token).toBeUndefined();
      for await (const [token] of store.all()) expect(Object.keys(bad)).not.toContain(token);
      for (const token of Object.keys(bad)) await store.touch(token, later());
      for (const token of Object.keys(bad)) expect(store.find(token), token).toBeUndefined();
      expect(await store.sweep()).toBe(0); // foreign records are left alone
      expect(records.getBinary('text')).toBeDefined();
      await store.commit('truncated', Uint8Array.of(1), later()); // overwriting garbage works
      expect(store.find('truncated')).toEqual(Uint8Array.of(1));
      await store.delete('text');
      expect(records.getBinary('text')).toBeUndefined();
      await store.close();
      await root.close();
    });

    it('treats tokens LMDB cannot key as not found', async () => {
      const store = new LmdbStore({ path: tempPath(), sweepInterval: 0 });
      expect(store.find('')).toBeUndefined();
      expect(store.find('x'.repeat(5000))).toBeUndefined();
      await expect(store.delete('x'.repeat(5000))).resolves.toBeUndefined();
      await expect(store.commit('x'.repeat(5000), Uint8Array.of(1), later())).rejects.toThrow(/lmdb store: token/);
      await store.close();
    });
  });
});
