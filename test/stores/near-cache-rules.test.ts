import { describe, expect, it } from 'vitest';
import { ENTRY_OVERHEAD, NearCache, nearCacheOptions } from '../../src/stores/near-cache.js';

const FAR = Date.now() + 3_600_000;

function trustedCache(options: Parameters<typeof nearCacheOptions>[0] = true): NearCache {
  const cache = new NearCache(nearCacheOptions(options)!);
  cache.trusted = true;
  return cache;
}

function read(cache: NearCache, key: string, data: Uint8Array, expiresAt = FAR): Uint8Array {
  return cache.file(cache.begin(key), data, expiresAt);
}

describe('NearCache rules', () => {
  it('does not file a read whose key was invalidated while it was in flight', () => {
    const cache = trustedCache();
    const ticket = cache.begin('a');
    cache.invalidate('a', true);
    cache.file(ticket, Uint8Array.of(1), FAR);
    expect(cache.get('a')).toBeUndefined();
    read(cache, 'a', Uint8Array.of(2)); // a read that began after the invalidation is filed
    expect(cache.get('a')).toEqual(Uint8Array.of(2));
  });

  it('does not file either of two overlapping reads begun before an invalidation, but files one begun after it', () => {
    const cache = trustedCache();
    const first = cache.begin('a');
    const second = cache.begin('a');
    cache.invalidate('a', false);
    const third = cache.begin('a');
    cache.file(first, Uint8Array.of(1), FAR);
    cache.file(second, Uint8Array.of(1), FAR);
    expect(cache.get('a')).toBeUndefined();
    cache.file(third, Uint8Array.of(3), FAR);
    expect(cache.get('a')).toEqual(Uint8Array.of(3));
  });

  it('does not file a read in flight across a flush or a loss of tracking, and serves nothing while tracking is down', () => {
    const cache = trustedCache();
    const acrossFlush = cache.begin('a');
    cache.flush();
    cache.file(acrossFlush, Uint8Array.of(1), FAR);
    expect(cache.get('a')).toBeUndefined();
    read(cache, 'b', Uint8Array.of(2));
    const acrossLoss = cache.begin('c');
    cache.trusted = false;
    expect(cache.get('b')).toBeUndefined();
    cache.trusted = true;
    cache.file(acrossLoss, Uint8Array.of(3), FAR);
    expect(cache.get('b')).toBeUndefined(); // dropped with the loss, not served again when tracking is back
    expect(cache.get('c')).toBeUndefined();
    expect(cache.stats().flushes).toBe(4); // trusting at the start flushed once too
  });

  it('files nothing while tracking is down', () => {
    const cache = new NearCache(nearCacheOptions(true)!);
    read(cache, 'a', Uint8Array.of(1));
    expect(cache.stats().entries).toBe(0);
  });

  it('keeps a copy, not the driver buffer it was given', () => {
    const cache = trustedCache();
    const socketBuffer = Buffer.from([9, 1, 2, 9]);
    const filed = read(cache, 'a', socketBuffer.subarray(1, 3));
    socketBuffer.fill(0);
    expect(cache.get('a')).toBe(filed);
    expect(filed).toEqual(Uint8Array.of(1, 2));
    expect(filed.buffer.byteLength).toBe(2);
  });

  it('holds at most maxBytes, counting key and overhead, evicting the least recently used', () => {
    const size = 100 + 2 + ENTRY_OVERHEAD;
    const cache = trustedCache({ maxBytes: 3 * size });
    for (const key of ['a', 'b', 'c']) read(cache, key, new Uint8Array(100));
    expect(cache.stats().bytes).toBe(3 * size);
    cache.get('a');
    read(cache, 'd', new Uint8Array(100));
    expect(cache.stats()).toMatchObject({ entries: 3, bytes: 3 * size });
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBeDefined();
    read(cache, 'e', new Uint8Array(4 * size)); // larger than the whole bound: handed out, not kept
    expect(cache.get('e')).toBeUndefined();
    expect(cache.stats().entries).toBe(3);
  });

  it('stops serving an entry at its expiry', () => {
    const cache = trustedCache();
    read(cache, 'a', Uint8Array.of(1), Date.now() + 1000);
    read(cache, 'b', Uint8Array.of(1), Date.now() - 1);
    expect(cache.get('a')).toBeDefined();
    expect(cache.get('b')).toBeUndefined();
  });

  it('forgets a key once no read of it is in flight', () => {
    const cache = trustedCache();
    for (let i = 0; i < 1000; i++) {
      const ticket = cache.begin(`k${i}`);
      if (i % 2 === 0) cache.abandon(ticket);
      else cache.file(ticket, Uint8Array.of(1), FAR);
    }
    const ticket = cache.begin('k1');
    cache.invalidate('k1', true);
    cache.abandon(ticket);
    // a fresh read of k1 starts a new generation record: it is filed
    read(cache, 'k1', Uint8Array.of(2));
    expect(cache.get('k1')).toEqual(Uint8Array.of(2));
  });
});
