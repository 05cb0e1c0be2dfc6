// uWebSockets.js + sessionkit/uws on the seed routes; STORE=memory (default) or lmdb (in DATA_DIR).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import uWS from 'uWebSockets.js';
import { LmdbStore } from '../../native-store/index.js';
import { uwsSessions } from '../../src/adapters/uws.js';
import { MemoryStore, SessionManager, type Store } from '../../src/index.js';

const port = Number(process.env.PORT ?? 4000);
const store: Store =
  process.env.STORE === 'lmdb'
    ? new LmdbStore({ path: process.env.DATA_DIR ?? mkdtempSync(join(tmpdir(), 'sessionkit-peer-lmdb-')) })
    : new MemoryStore();
const sessions = new SessionManager<{ message: string }>({ store });
const withSession = uwsSessions(sessions);

uWS
  .App()
  .get('/put', withSession((res, _req, session) => {
    session.put('message', 'Hello from a session!');
    res.end();
  }))
  .get('/get', withSession((res, _req, session) => {
    res.writeHeader('Content-Type', 'text/plain; charset=utf-8').end(session.getString('message'));
  }))
  .listen('127.0.0.1', port, (socket) => {
    if (!socket) process.exit(1);
    console.log('ready');
  });

// Exit on SIGTERM/SIGINT so that `node --cpu-prof` writes its profile (bench/profile.mjs).
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => process.exit(0));
