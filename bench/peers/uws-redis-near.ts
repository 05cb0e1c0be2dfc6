// uWebSockets.js + sessionkit/uws + RedisStore with the near cache, on the quick start's routes (REDIS_URL, KEY_PREFIX from the suite).
import { Redis } from 'ioredis';
import uWS from 'uWebSockets.js';
import { uwsSessions } from '../../src/adapters/uws.js';
import { SessionManager } from '../../src/index.js';
import { RedisStore } from '../../src/stores/redis.js';

const port = Number(process.env.PORT ?? 4000);
const client = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: 1 });
const store = new RedisStore({ client, prefix: process.env.KEY_PREFIX ?? 'sessionkit-bench:', nearCache: true });
// Entries are served only once tracking is up: wait for it, so the run measures the cache.
while (!store.nearCacheStats()?.tracking) await new Promise((resolve) => setTimeout(resolve, 10));

const sessions = new SessionManager<{ message: string }>({ store });
const withSession = uwsSessions(sessions);

uWS
  .App()
  .get(
    '/put',
    withSession((res, _req, session) => {
      session.put('message', 'Hello from a session!');
      res.end();
    }),
  )
  .get(
    '/get',
    withSession((res, _req, session) => {
      res.writeHeader('Content-Type', 'text/plain; charset=utf-8').end(session.getString('message'));
    }),
  )
  .listen('127.0.0.1', port, (socket) => {
    if (!socket) process.exit(1);
    console.log('ready');
  });

// Exit on SIGTERM/SIGINT so that `node --cpu-prof` writes its profile (bench/profile.mjs).
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => process.exit(0));
