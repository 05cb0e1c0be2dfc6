// The SCS README example on Hono (Node, via @hono/node-server) with sessionkit/hono: /put stores a message, /get reads it back.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { LmdbStore } from '../native-store/index.js';
import { SessionManager } from '../src/index.js';
import { honoSessions, type SessionEnv } from '../src/adapters/hono.js';

interface AppData {
  message: string;
}

const port = Number(process.env.PORT ?? 4000);
const dataDir = process.env.DATA_DIR ?? './data';
mkdirSync(dataDir, { recursive: true });

const store = new LmdbStore({ path: join(dataDir, 'sessions') });
const sessions = new SessionManager<AppData>({ store });

const app = new Hono<SessionEnv<AppData>>();
app.use(honoSessions(sessions));

app.get('/put', (c) => {
  c.get('session').put('message', 'Hello from a session!');
  return c.body(null);
});

app.get('/get', (c) => c.text(c.get('session').getString('message')));

const server = serve({ fetch: app.fetch, port, hostname: '127.0.0.1' }, (info) => {
  console.log(`seed: listening on http://127.0.0.1:${info.port}`);
});

const stop = (): void => {
  server.close();
  Promise.resolve(store.close()).then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
