// Express 5 + sessionkit/node as Express middleware on the seed routes (MemoryStore).
import express from 'express';
import { nodeSessions } from '../../src/adapters/node.js';
import { SessionManager } from '../../src/index.js';

const port = Number(process.env.PORT ?? 4000);
const sessions = new SessionManager<{ message: string }>();
const app = express();
app.disable('x-powered-by');
app.use(nodeSessions(sessions));
app.get('/put', (req, res) => {
  req.session.put('message', 'Hello from a session!');
  res.end();
});
app.get('/get', (req, res) => {
  res.type('text/plain').send(req.session.getString('message'));
});
app.listen(port, '127.0.0.1', () => console.log('ready'));

// Exit on SIGTERM/SIGINT so that `node --cpu-prof` writes its profile (bench/profile.mjs).
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => process.exit(0));
