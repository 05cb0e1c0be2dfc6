// Hono on @hono/node-server + sessionkit/hono (MemoryStore) on the seed routes.
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { honoSessions } from '../../src/adapters/hono.js';
import { SessionManager } from '../../src/index.js';

interface SeedSession {
  put(key: 'message', value: string): void;
  getString(key: 'message'): string;
}

const port = Number(process.env.PORT ?? 4000);
const manager = new SessionManager<{ message: string }>();
const app = new Hono();
app.use(honoSessions(manager));
const session = (c: unknown): SeedSession => (c as { get(name: 'session'): SeedSession }).get('session');
app.get('/put', (c) => {
  session(c).put('message', 'Hello from a session!');
  return c.body(null);
});
app.get('/get', (c) => c.text(session(c).getString('message')));
serve({ fetch: app.fetch, port, hostname: '127.0.0.1' }, () => console.log('ready'));

// Exit on SIGTERM/SIGINT so that `node --cpu-prof` writes its profile (bench/profile.mjs).
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => process.exit(0));
