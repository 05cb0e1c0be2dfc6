// The decode cache: bounded by decodeCacheBytes, least recently used dropped first, and never keeping a session the store dropped.
import { describe, expect, it, vi } from 'vitest';
import { DecodeCache } from '../../src/decode-cache.js';
import { decodedSize } from '../../src/decoded-size.js';
import { type DropListener, MemoryStore, msgpackCodec, SessionManager, type SessionOptions, type Store } from '../../src/index.js';
import { collectGarbage } from '../support/gc.js';

type Data = { blob: string; obj: { n: number } };

function setup(options: SessionOptions = {}) {
  const store = (options.store as MemoryStore | undefined) ?? new MemoryStore({ sweepInterval: 0 });
  const decode = vi.fn(msgpackCodec.decode);
  const manager = new SessionManager<Data>({ store, codec: { ...msgpackCodec, decode }, ...options });
  return { store, manager, decode };
}

/** Commits a session whose blob is `size` characters; returns its token. */
async function stored(manager: SessionManager<Data>, size: number, mark = 'a'): Promise<string> {
  const session = await manager.load();
  session.put('blob', mark.repeat(size));
  session.put('obj', { n: size });
  return (await manager.commit(session)).token;
}

describe('decodeCacheBytes', () => {
  it('defaults to 32 MiB, 0 turns the cache off, and must be a whole number', () => {
    expect(new SessionManager().decodeCacheBytes).toBe(32 * 1024 * 1024);
    expect(new SessionManager({ decodeCacheBytes: 0 }).decodeCacheBytes).toBe(0);
    for (const bad of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '1000', null]) {
      expect(() => new SessionManager({ decodeCacheBytes: bad as number })).toThrow(/option decodeCacheBytes must be a whole number, 0 or more/);
    }
  });

  it('files a session it wrote under the bytes the store holds, so that the next load does not decode', async () => {
    const { store, manager, decode } = setup();
    const first = await manager.load();
    first.put('blob', 'plain');
    const { token } = await manager.commit(first);
    const find = vi.spyOn(store, 'find');
    for (let i = 0; i < 3; i++) {
      const session = manager.loadNow(token) as Awaited<ReturnType<typeof manager.load>>;
      session.put('blob', `plain ${i}`);
      expect(manager.saveNow(session)).toBe(1); // SaveAction.SetCookie, synchronously
    }
    expect(find).toHaveBeenCalledTimes(6); // each load, and each save reading back what the store kept
    expect((await manager.load(token)).get('blob')).toBe('plain 2');
    expect(decode).not.toHaveBeenCalled();
  });

  it('decodes every load when it is 0', async () => {
    const { manager, decode } = setup({ decodeCacheBytes: 0 });
    const token = await stored(manager, 10);
    await manager.load(token);
    await manager.load(token);
    expect(decode).toHaveBeenCalledTimes(2);
  });

  it('keeps decoded sessions up to the bound, dropping the least recently used first', async () => {
    const size = 1000;
    const probe = setup();
    const bytes = probe.store.find(await stored(probe.manager, size))!;
    const weight = decodedSize(bytes.length, msgpackCodec.decode(bytes).values);
    const { manager, decode } = setup({ decodeCacheBytes: 3 * weight + 10 });
    const tokens: string[] = [];
    for (let i = 0; i < 3; i++) tokens.push(await stored(manager, size));
    await manager.load(tokens[0]); // a hit: the first becomes the most recently used
    expect(decode).toHaveBeenCalledTimes(0);
    tokens.push(await stored(manager, size)); // over the bound: the second (least recently used) goes
    await manager.load(tokens[0]);
    await manager.load(tokens[2]);
    await manager.load(tokens[3]);
    expect(decode).toHaveBeenCalledTimes(0);
    await manager.load(tokens[1]);
    expect(decode).toHaveBeenCalledTimes(1);
  });

  it('never keeps a session heavier than the bound, and filing one drops nothing else', async () => {
    const { manager, decode } = setup({ decodeCacheBytes: 8 * 1024 });
    const small = await stored(manager, 10);
    const big = await stored(manager, 16 * 1024, 'b');
    await manager.load(big);
    await manager.load(big);
    expect(decode).toHaveBeenCalledTimes(2);
    await manager.load(small);
    expect(decode).toHaveBeenCalledTimes(2);
  });

  it('weighs a session of many tiny values by their number, not by their few encoded bytes', () => {
    const values = new Map<string, unknown>([['list', Array.from({ length: 2000 }, (_, i) => (i % 2 === 0 ? {} : []))]]);
    const encoded = msgpackCodec.encode(0, values).length;
    expect(encoded).toBeLessThan(2100);
    // V8 takes about 52 bytes for each empty object or array (measured); the estimate must not be lower.
    expect(decodedSize(encoded, values)).toBeGreaterThan(2000 * 52);
    const nested = new Map<string, unknown>([['a', { b: new Map([['c', new Set([1.5, 'x'])]]), d: [new Date(0), new Uint8Array(4096)] }]]);
    expect(decodedSize(100, nested)).toBeGreaterThan(4096 + 5 * 64);
  });
});

describe('the decode cache never keeps what the store dropped', () => {
  async function held(drop: (store: MemoryStore, token: string) => void | Promise<void>) {
    const { store, manager } = setup();
    const token = await stored(manager, 10);
    const loaded = await manager.load(token);
    const decoded = new WeakRef(loaded.get('obj')!);
    await drop(store, token);
    return { decoded, kept: { store, manager } };
  }

  it.each([
    ['evicted by maxEntries', (store: MemoryStore) => store.commit('x'.repeat(43), new Uint8Array(8), Date.now() + 60_000)],
    ['deleted', (store: MemoryStore, token: string) => store.delete(token)],
    ['expired', (store: MemoryStore, token: string) => store.touch(token, Date.now() - 1)],
    ['replaced by another writer', (store: MemoryStore, token: string) => store.commit(token, new Uint8Array(8), Date.now() + 60_000)],
  ])('a session the MemoryStore %s is collected', async (_reason, drop) => {
    const store = new MemoryStore({ sweepInterval: 0, maxEntries: 1 });
    const { manager } = setup({ store });
    const token = await stored(manager, 10);
    const decoded = new WeakRef((await manager.load(token)).get('obj')!);
    await drop(store, token);
    await collectGarbage();
    expect(decoded.deref()).toBeUndefined();
    expect(store.size).toBe(1 - (_reason === 'deleted' || _reason === 'expired' ? 1 : 0));
  });

  it('while the store keeps a session, its decoded form is kept (the check above can fail)', async () => {
    const { decoded, kept } = await held(() => {});
    await collectGarbage();
    expect(decoded.deref()).toEqual({ n: 10 });
    expect(kept.store.size).toBe(1);
  });
});

describe('the decode cache listens to the store only while its manager is in use', () => {
  it('a manager that is no longer referenced stops listening at the next drop', async () => {
    const memory = new MemoryStore({ sweepInterval: 0 });
    let stopped = 0;
    const store: Store = {
      stableBytes: true,
      find: (token) => memory.find(token),
      commit: (token, data, expiresAt, owner) => memory.commit(token, data, expiresAt, owner),
      delete: (token) => memory.delete(token),
      onDrop(listener: DropListener) {
        const stop = memory.onDrop(listener);
        return () => {
          stopped++;
          stop();
        };
      },
    };
    await (async () => {
      const manager = new SessionManager({ store });
      const session = await manager.load();
      session.put('n', 1);
      await manager.commit(session);
    })();
    await collectGarbage();
    expect(stopped).toBe(0);
    memory.commit('x'.repeat(43), Uint8Array.of(1), Date.now() + 60_000);
    memory.delete('x'.repeat(43)); // a drop: the listener finds its cache gone
    expect(stopped).toBe(1);
  });
});

describe('DecodeCache', () => {
  const values = () => new Map<string, unknown>([['n', 1]]);

  it('holds nothing for a key the store replaced and then dropped', () => {
    const cache = new DecodeCache(1 << 20);
    const first = Uint8Array.of(1);
    cache.set('k', first, Date.now() + 60_000, values());
    cache.dropped('k', first, 'replaced'); // another writer replaced it: the record goes, the slot stays until filed again
    expect(cache.get('k', first)).toBeUndefined();
    expect(cache.bytes).toBeLessThan(256); // the record's weight is gone; a small placeholder remains
    cache.dropped('k', Uint8Array.of(2), 'deleted'); // then the store deleted the bytes this cache never saw
    expect(cache.size).toBe(0);
  });

  it('weighs the placeholders of replaced keys, so that keys never filed again cannot pile up', () => {
    const cache = new DecodeCache(4096);
    for (let i = 0; i < 1000; i++) {
      const bytes = Uint8Array.of(i & 255);
      cache.set(`k${i}`, bytes, Date.now() + 60_000, values());
      cache.dropped(`k${i}`, bytes, 'replaced');
    }
    expect(cache.size).toBeLessThan(4096 / 64);
    expect(cache.bytes).toBeLessThanOrEqual(4096);
  });

  it('ignores a drop of bytes it did not decode, keeping its own record', () => {
    const cache = new DecodeCache(1 << 20);
    const bytes = Uint8Array.of(1);
    const record = cache.set('k', bytes, Date.now() + 60_000, values());
    cache.dropped('k', Uint8Array.of(1), 'evicted');
    expect(cache.get('k', bytes)).toBe(record);
  });
});
