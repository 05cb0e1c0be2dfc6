// node:http + sessionkit/node on the seed routes (MemoryStore).
import { createServer } from 'node:http';
import { nodeSessions } from '../../src/adapters/node.js';
import { SessionManager } from '../../src/index.js';

const port = Number(process.env.PORT ?? 4000);
const sessions = new SessionManager<{ message: string }>();

createServer(
  nodeSessions(sessions).wrap((req, res) => {
    if (req.url === '/put') {
      req.session.put('message', 'Hello from a session!');
      res.end();
    } else if (req.url === '/get') {
      res.setHeader('Content-Type', 'text/plain; charset=utf-8');
      res.end(req.session.getString('message'));
    } else {
      res.statusCode = 404;
      res.end('Not Found');
    }
  }),
).listen(port, '127.0.0.1', () => console.log('ready'));

// Exit on SIGTERM/SIGINT so that `node --cpu-prof` writes its profile (bench/profile.mjs).
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => process.exit(0));
