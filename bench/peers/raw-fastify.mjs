// Fastify 5 answering the seed routes with no sessions at all: the baseline for the Fastify session rows.
import Fastify from 'fastify';

const port = Number(process.env.PORT ?? 4000);
const app = Fastify({ logger: false });
app.get('/put', async (_request, reply) => reply.send(''));
app.get('/get', async (_request, reply) => reply.type('text/plain; charset=utf-8').send('Hello from a session!'));
await app.listen({ port, host: '127.0.0.1' });
console.log('ready');

// Exit on SIGTERM/SIGINT so that `node --cpu-prof` writes its profile (bench/profile.mjs).
for (const signal of ['SIGTERM', 'SIGINT']) process.once(signal, () => process.exit(0));
