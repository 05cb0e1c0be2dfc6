// hyper-express 6 + hyper-express-session with a Map as its store, on the seed routes.
import HyperExpress from 'hyper-express';
import SessionEngine from 'hyper-express-session';

const port = Number(process.env.PORT ?? 4000);
const duration = 24 * 60 * 60 * 1000;
const sessions = new Map();
const engine = new SessionEngine({
  duration,
  cookie: { name: 'session', path: '/', httpOnly: true, secure: false, sameSite: 'lax', secret: 'sessionkit-bench-secret-0123456789abcdef' },
});
engine.use('read', (session) => {
  const entry = sessions.get(session.id);
  if (entry === undefined || entry.expiresAt <= Date.now()) return undefined;
  return entry.data;
});
engine.use('touch', (session) => {
  const entry = sessions.get(session.id);
  if (entry !== undefined) entry.expiresAt = session.expires_at;
});
engine.use('write', (session) => {
  sessions.set(session.id, { data: { ...session.get() }, expiresAt: session.expires_at });
});
engine.use('destroy', (session) => {
  sessions.delete(session.id);
});

const app = new HyperExpress.Server();
app.use(engine);
app.get('/put', async (req, res) => {
  await req.session.start();
  req.session.set('message', 'Hello from a session!');
  res.send('');
});
app.get('/get', async (req, res) => {
  await req.session.start();
  res.type('text').send(req.session.get('message') ?? '');
});
await app.listen(port, '127.0.0.1');
console.log('ready');

// Exit on SIGTERM/SIGINT so that `node --cpu-prof` writes its profile (bench/profile.mjs).
for (const signal of ['SIGTERM', 'SIGINT']) process.once(signal, () => process.exit(0));
