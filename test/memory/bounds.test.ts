// Memory is bounded by configuration: a child process stores many request-sized sessions and its memory stays under the bound.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const child = fileURLToPath(new URL('./bound-child.ts', import.meta.url));
const MiB = 1024 * 1024;
const VALUE = 512 * 1024;
const MAX_BYTES = 16 * MiB;
const DECODE_CACHE_BYTES = 8 * MiB;
/** What JavaScript holds besides the two bounds: the codec's buffers and the bookkeeping (measured about 6 MiB). */
const JS_OVERHEAD = 16 * MiB;
/** Freed memory the allocator keeps rather than returns to the OS after this churn (measured 85 to 100 MiB). */
const RSS_OVERHEAD = 128 * MiB;

interface Usage {
  rss: number;
  anonymous: number;
  heap: number;
  external: number;
}

async function measure(scenario: string, count: number, size: number): Promise<Usage> {
  const args = ['--expose-gc', '--import', 'tsx', child, scenario, String(count), String(size), String(MAX_BYTES), String(DECODE_CACHE_BYTES)];
  const { stdout } = await run(process.execPath, args, { timeout: 120_000, maxBuffer: 1 << 20 });
  return JSON.parse(stdout.trim().split('\n').pop()!) as Usage;
}

/** Grows from a run that stores one small session, which loads the same modules. */
async function growth(scenario: string, count: number): Promise<{ js: number; rss: number }> {
  const baseline = await measure(scenario, 1, 1024);
  const loaded = await measure(scenario, count, VALUE);
  // LMDB's memory map is file pages, not the process's own memory: count only anonymous memory.
  const resident = scenario === 'lmdb' ? 'anonymous' : 'rss';
  return {
    js: loaded.heap + loaded.external - (baseline.heap + baseline.external),
    rss: loaded[resident] - baseline[resident],
  };
}

describe('memory bounded by maxBytes + decodeCacheBytes', () => {
  it('240 sessions of 512 KiB through the manager on MemoryStore stay within the bound', { timeout: 180_000 }, async () => {
    const grown = await growth('manager', 240);
    expect(grown.js).toBeLessThan(MAX_BYTES + DECODE_CACHE_BYTES + JS_OVERHEAD);
    expect(grown.rss).toBeLessThan(MAX_BYTES + DECODE_CACHE_BYTES + RSS_OVERHEAD);
  });

  it('160 anonymous uWS requests that each store a 512 KiB body stay within the bound', { timeout: 180_000 }, async () => {
    const grown = await growth('uws', 160);
    expect(grown.js).toBeLessThan(MAX_BYTES + DECODE_CACHE_BYTES + JS_OVERHEAD);
    expect(grown.rss).toBeLessThan(MAX_BYTES + DECODE_CACHE_BYTES + RSS_OVERHEAD);
  });

  it("240 sessions of 512 KiB on LmdbStore stay within its LRU tier's cacheMaxBytes + decodeCacheBytes", { timeout: 180_000 }, async () => {
    const grown = await growth('lmdb', 240);
    expect(grown.js).toBeLessThan(MAX_BYTES + DECODE_CACHE_BYTES + JS_OVERHEAD);
    expect(grown.rss).toBeLessThan(MAX_BYTES + DECODE_CACHE_BYTES + RSS_OVERHEAD);
  });
});
