// Fastify 5 + @fastify/session with connect-redis as its store (node-redis client) on the seed routes; REDIS_URL, KEY_PREFIX.
import cookie from '@fastify/cookie';
import session from '@fastify/session';
import { RedisStore } from 'connect-redis';
import Fastify from 'fastify';
import { createClient } from 'redis';

const port = Number(process.env.PORT ?? 4000);
const client = createClient({ url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' });
await client.connect();
const app = Fastify({ logger: false });
await app.register(cookie);
await app.register(session, {
  secret: 'sessionkit-bench-secret-0123456789abcdef',
  store: new RedisStore({ client, prefix: process.env.KEY_PREFIX ?? 'sess:' }),
  saveUninitialized: false,
  cookie: { secure: false, httpOnly: true, sameSite: 'lax', maxAge: 24 * 60 * 60 * 1000 },
});
app.get('/put', async (request, reply) => {
  request.session.set('message', 'Hello from a session!');
  return reply.send('');
});
app.get('/get', async (request, reply) => {
  return reply.type('text/plain; charset=utf-8').send(request.session.get('message') ?? '');
});
await app.listen({ port, host: '127.0.0.1' });
console.log('ready');

// Exit on SIGTERM/SIGINT so that `node --cpu-prof` writes its profile (bench/profile.mjs).
for (const signal of ['SIGTERM', 'SIGINT']) process.once(signal, () => process.exit(0));
