// Express 5 + express-session with connect-redis (its node-redis client) on the seed routes; REDIS_URL, KEY_PREFIX.
import { RedisStore } from 'connect-redis';
import express from 'express';
import session from 'express-session';
import { createClient } from 'redis';

const port = Number(process.env.PORT ?? 4000);
const client = createClient({ url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' });
await client.connect();
const app = express();
app.disable('x-powered-by');
app.use(
  session({
    store: new RedisStore({ client, prefix: process.env.KEY_PREFIX ?? 'sess:' }),
    secret: 'sessionkit-bench-secret-0123456789abcdef',
    resave: false,
    saveUninitialized: false,
  }),
);
app.get('/put', (req, res) => {
  req.session.message = 'Hello from a session!';
  res.end();
});
app.get('/get', (req, res) => {
  res.type('text/plain').send(req.session.message ?? '');
});
app.listen(port, '127.0.0.1', () => console.log('ready'));

// Exit on SIGTERM/SIGINT so that `node --cpu-prof` writes its profile (bench/profile.mjs).
for (const signal of ['SIGTERM', 'SIGINT']) process.once(signal, () => process.exit(0));
