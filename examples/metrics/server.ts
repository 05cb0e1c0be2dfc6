// A node:http app with sessions and a Prometheus /metrics endpoint: log in, put, log out, then scrape.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { Registry } from 'prom-client';
import { MemoryStore, SessionManager } from '../../src/index.js';
import { nodeSessions } from '../../src/adapters/node.js';
import { sessionMetrics } from './metrics.js';

export interface MetricsApp {
  server: Server;
  url: string;
  close(): Promise<void>;
}

/** Starts the app on `port` (0: any free port) on 127.0.0.1. */
export async function startMetricsApp(port = 0): Promise<MetricsApp> {
  const store = new MemoryStore();
  const sessions = new SessionManager<{ visits: number }>({ store, maxSessionsPerUser: 3 });
  const registry = new Registry();
  const stopMetrics = sessionMetrics({ registry, memoryStores: [store] });

  const server = createServer(
    nodeSessions(sessions).wrap(async (req, res) => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const session = req.session;
      if (url.pathname === '/metrics') {
        res.setHeader('Content-Type', registry.contentType);
        res.end(await registry.metrics());
      } else if (url.pathname === '/visit') {
        session.put('visits', session.getNumber('visits') + 1);
        res.end(String(session.getNumber('visits')));
      } else if (url.pathname === '/login' && req.method === 'POST') {
        await session.login(url.searchParams.get('user') ?? 'anonymous');
        res.end('logged in');
      } else if (url.pathname === '/logout' && req.method === 'POST') {
        await session.destroy();
        res.end('logged out');
      } else {
        res.statusCode = 404;
        res.end('Not Found');
      }
    }),
  );
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    server,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      stopMetrics();
      await store.close();
    },
  };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const app = await startMetricsApp(Number(process.env.PORT ?? 4000));
  console.log(`metrics: listening on ${app.url} (scrape ${app.url}/metrics)`);
  const stop = (): void => {
    app.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
