// Express 5 + express-session (its MemoryStore) on the seed routes, configured as its README advises.
import express from 'express';
import session from 'express-session';

const port = Number(process.env.PORT ?? 4000);
const app = express();
app.disable('x-powered-by');
app.use(session({ secret: 'sessionkit-bench-secret-0123456789abcdef', resave: false, saveUninitialized: false }));
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
