// Hit rate of RedisStore's near cache at its default bounds, simulated in-process over 1,000,000 sessions (no Redis: a miss files the entry, as a read would).
// Usage: node --import tsx bench/near-cache-hit-rate.ts [requests]
import { NearCache, nearCacheOptions } from '../src/stores/near-cache.js';

const SESSIONS = 1_000_000;
const REQUESTS = Number(process.argv[2] ?? 2_000_000);
const SESSION_BYTES = 200;
const FAR = Date.now() + 86_400_000;

interface Pattern {
  label: string;
  next: () => number;
  /** nearCache option; default bounds when absent. */
  bounds?: { maxEntries: number; maxBytes: number };
}

const patterns: Pattern[] = [
  { label: 'uniform over 1,000,000 sessions', next: () => Math.floor(Math.random() * SESSIONS) },
  {
    label: 'hot set: 90% of requests on 5,000 sessions, 10% uniform over 1,000,000',
    next: () => (Math.random() < 0.9 ? Math.floor(Math.random() * 5_000) : Math.floor(Math.random() * SESSIONS)),
  },
  {
    label: 'uniform over 1,000,000 sessions, maxEntries 1,000,000 and maxBytes 512 MiB',
    next: () => Math.floor(Math.random() * SESSIONS),
    bounds: { maxEntries: SESSIONS, maxBytes: 512 << 20 },
  },
  {
    label: 'active users: 20,000 sessions, uniform (twice the default maxEntries)',
    next: () => Math.floor(Math.random() * 20_000),
  },
];

const data = new Uint8Array(SESSION_BYTES);
for (const pattern of patterns) {
  const cache = new NearCache(nearCacheOptions(pattern.bounds ?? true)!);
  cache.trusted = true;
  const read = () => {
    const key = `s${pattern.next()}`;
    if (cache.get(key) === undefined) cache.file(cache.begin(key), data, FAR);
  };
  for (let i = 0; i < REQUESTS; i++) read(); // warm-up: the rate below is the steady state
  const warm = cache.stats();
  for (let i = 0; i < REQUESTS; i++) read();
  const { hits, misses, entries, bytes } = cache.stats();
  const rate = (100 * (hits - warm.hits)) / (hits - warm.hits + misses - warm.misses);
  console.log(
    `${pattern.label}: hit rate ${rate.toFixed(1)}% over ${REQUESTS} reads after as many to warm up; ${entries} entries, ${(bytes / 2 ** 20).toFixed(1)} MiB held`,
  );
}
