// The SCS README example on node:http with sessionkit/node: /put stores a message in the session, /get reads it back.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LmdbStore } from '../native-store/index.js';
import { SessionManager } from '../src/index.js';
import { nodeSessions } from '../src/adapters/node.js';

const port = Number(process.env.PORT ?? 4000);
const dataDir = process.env.DATA_DIR ?? './data';

const store = new LmdbStore({ path: dataDir });
const sessions = new SessionManager<{ message: string }>({ store });

const server = createServer(
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
);

server.listen(port, '127.0.0.1', () => {
  console.log(`seed: listening on http://127.0.0.1:${(server.address() as AddressInfo).port}`);
});

const stop = (): void => {
  server.close();
  server.closeIdleConnections();
  Promise.resolve(store.close()).then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
