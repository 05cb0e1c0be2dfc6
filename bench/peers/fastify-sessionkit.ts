// Fastify 5 + sessionkit/fastify (MemoryStore) on the seed routes.
import Fastify from 'fastify';
import { fastifySessions } from '../../src/adapters/fastify.js';
import { SessionManager } from '../../src/index.js';

interface SeedSession {
  put(key: 'message', value: string): void;
  getString(key: 'message'): string;
}

const port = Number(process.env.PORT ?? 4000);
const manager = new SessionManager<{ message: string }>();
const app = Fastify({ logger: false });
await app.register(fastifySessions, { manager });
app.get('/put', async (request, reply) => {
  (request as unknown as { session: SeedSession }).session.put('message', 'Hello from a session!');
  return reply.send('');
});
app.get('/get', async (request, reply) => {
  const { session } = request as unknown as { session: SeedSession };
  return reply.type('text/plain; charset=utf-8').send(session.getString('message'));
});
await app.listen({ port, host: '127.0.0.1' });
console.log('ready');

// Exit on SIGTERM/SIGINT so that `node --cpu-prof` writes its profile (bench/profile.mjs).
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => process.exit(0));
