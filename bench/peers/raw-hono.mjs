// Hono on @hono/node-server answering the seed routes with no sessions at all: the baseline for hono + sessionkit.
import { serve } from '@hono/node-server';
import { Hono } from 'hono';

const port = Number(process.env.PORT ?? 4000);
const app = new Hono();
app.get('/put', (c) => c.body(null));
app.get('/get', (c) => c.text('Hello from a session!'));
serve({ fetch: app.fetch, port, hostname: '127.0.0.1' }, () => console.log('ready'));

// Exit on SIGTERM/SIGINT so that `node --cpu-prof` writes its profile (bench/profile.mjs).
for (const signal of ['SIGTERM', 'SIGINT']) process.once(signal, () => process.exit(0));
