// The SCS README example on Express with sessionkit/node: /put stores a message in the session, /get reads it back.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import express from 'express';
import { LmdbStore } from '../native-store/index.js';
import { SessionManager } from '../src/index.js';
import { nodeSessions } from '../src/adapters/node.js';

interface AppData {
  message: string;
}

const port = Number(process.env.PORT ?? 4000);
const dataDir = process.env.DATA_DIR ?? './data';
mkdirSync(dataDir, { recursive: true });

const store = new LmdbStore({ path: join(dataDir, 'sessions') });
const sessions = new SessionManager<AppData>({ store });

const app = express();
app.use(nodeSessions(sessions));

app.get('/put', (req, res) => {
  req.session.put('message', 'Hello from a session!');
  res.end();
});

app.get('/get', (req, res) => {
  res.type('text/plain').send(req.session.getString('message'));
});

const server = app.listen(port, '127.0.0.1', () => {
  console.log(`seed: listening on http://127.0.0.1:${port}`);
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
