// Several worker processes on one port (node:cluster) sharing one LmdbStore path: a session saved by one worker loads in all of them.
import cluster from 'node:cluster';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { availableParallelism } from 'node:os';
import { LmdbStore } from '../../native-store/index.js';
import { SessionManager } from '../../src/index.js';
import { nodeSessions } from '../../src/adapters/node.js';

const port = Number(process.env.PORT ?? 4000);
const dataDir = process.env.DATA_DIR ?? './data/cluster-sessions'; // on a local disk: LMDB's lock file needs one kernel
const workers = Number(process.env.WORKERS ?? availableParallelism());

if (cluster.isPrimary) {
  // The primary only forks and supervises; node:cluster hands each connection to a worker in turn.
  let stopping = false;
  const listening = new Set<number>(); // ids of the workers that got as far as listening
  cluster.on('listening', (worker, address) => {
    listening.add(worker.id);
    if (listening.size === workers) console.log(`cluster-lmdb: ${workers} workers listening on http://127.0.0.1:${address.port}`);
  });
  cluster.on('exit', (worker, code, signal) => {
    if (!stopping && listening.has(worker.id)) {
      console.error(`cluster-lmdb: worker ${worker.process.pid} exited (${signal ?? code}); starting another`);
      cluster.fork();
      return;
    }
    if (!stopping) {
      // A worker that fails before listening (a bad path, a port in use) would fail again: stop.
      console.error(`cluster-lmdb: worker ${worker.process.pid} exited (${signal ?? code}) before listening`);
      process.exitCode = 1;
      stop();
    }
    if (Object.keys(cluster.workers ?? {}).length === 0) process.exit();
  });
  for (let i = 0; i < workers; i++) cluster.fork();
  function stop(): void {
    stopping = true;
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
  }
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
} else {
  // Every worker opens the same path; LMDB shares it between processes (one writer at a time, readers never wait).
  const store = new LmdbStore({ path: dataDir });
  const sessions = new SessionManager<{ name: string }>({ store });

  const server = createServer(
    nodeSessions(sessions).wrap(async (req, res) => {
      res.setHeader('X-Served-By', String(process.pid)); // which worker answered, to see requests spread
      res.setHeader('Content-Type', 'text/plain; charset=utf-8');
      const url = new URL(req.url ?? '/', 'http://localhost');
      const route = `${req.method} ${url.pathname}`;
      if (route === 'POST /login') {
        const user = url.searchParams.get('user') ?? '';
        // ... check the user's password first ...
        await req.session.login(user); // a new token, bound to the user: the old one is refused by every worker
        req.session.put('name', user);
        res.end(`logged in as ${user}`);
      } else if (route === 'GET /me') {
        if (req.session.userId === undefined) {
          res.statusCode = 401;
          res.end('not logged in');
        } else {
          res.end(`you are ${req.session.getString('name')}`);
        }
      } else if (route === 'POST /logout') {
        await req.session.destroy(); // deleted from the store: every worker refuses the token from now on
        res.end('logged out');
      } else {
        res.statusCode = 404;
        res.end('Not Found');
      }
    }),
  );

  server.listen(port, '127.0.0.1');
  const stop = (): void => {
    server.close();
    server.closeAllConnections();
    Promise.resolve(store.close()).then(
      () => process.exit(0),
      (error: unknown) => {
        console.error('cluster-lmdb: closing the store failed', error);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', () => {}); // Ctrl-C reaches every process of the group: the primary decides, with SIGTERM
  server.once('listening', () => console.log(`cluster-lmdb: worker ${process.pid} on port ${(server.address() as AddressInfo).port}`));
}
