// The SCS README example on uWebSockets.js: /put stores a message in the session, /get reads it back.
import uWS from 'uWebSockets.js';
import { LmdbStore } from '../native-store/index.js';
import { SessionManager } from '../src/index.js';
import { uwsSessions } from '../src/adapters/uws.js';

const port = Number(process.env.PORT ?? 4000);
const dataDir = process.env.DATA_DIR ?? './data';

const store = new LmdbStore({ path: dataDir });
const sessions = new SessionManager<{ message: string }>({ store, lifetime: 24 * 60 * 60 * 1000 });
const withSession = uwsSessions(sessions);

const app = uWS
  .App()
  .get(
    '/put',
    withSession((res, _req, session) => {
      session.put('message', 'Hello from a session!');
      res.end();
    }),
  )
  .get(
    '/get',
    withSession((res, _req, session) => {
      res.writeHeader('Content-Type', 'text/plain; charset=utf-8').end(session.getString('message'));
    }),
  )
  .any('/*', (res) => {
    res.writeStatus('404 Not Found').end('Not Found');
  });

app.listen('127.0.0.1', port, (listenSocket) => {
  if (listenSocket === false) {
    console.error(`seed: cannot listen on port ${port}`);
    process.exit(1);
  }
  console.log(`seed: listening on http://127.0.0.1:${uWS.us_socket_local_port(listenSocket)}`);
  const stop = (): void => {
    uWS.us_listen_socket_close(listenSocket);
    Promise.resolve(store.close()).then(
      () => process.exit(0),
      (error: unknown) => {
        console.error('seed: closing the store failed', error);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
});
