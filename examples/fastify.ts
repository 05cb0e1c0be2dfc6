// The SCS README example on Fastify with sessionkit/fastify: /put stores a message in the session, /get reads it back.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Fastify from 'fastify';
import { LmdbStore } from '../native-store/index.js';
import { SessionManager } from '../src/index.js';
import { fastifySessions } from '../src/adapters/fastify.js';

interface AppData {
  message: string;
}

const port = Number(process.env.PORT ?? 4000);
const dataDir = process.env.DATA_DIR ?? './data';
mkdirSync(dataDir, { recursive: true });

const store = new LmdbStore({ path: join(dataDir, 'sessions') });
const sessions = new SessionManager<AppData>({ store });

const app = Fastify();
await app.register(fastifySessions, { manager: sessions });

app.get('/put', async (request) => {
  request.session.put('message', 'Hello from a session!');
  return '';
});

app.get('/get', async (request, reply) => {
  reply.type('text/plain; charset=utf-8');
  return request.session.getString('message');
});

app.addHook('onClose', async () => {
  await store.close();
});

await app.listen({ port, host: '127.0.0.1' });
console.log(`seed: listening on http://127.0.0.1:${port}`);

const stop = (): void => {
  app.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
