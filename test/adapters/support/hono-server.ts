// Starts Hono on @hono/node-server on an ephemeral port with sessionkit/hono, and mounts the shared `routes` on it.
import { serve } from '@hono/node-server';
import { Hono, type Env } from 'hono';
import type { AddressInfo } from 'node:net';
import type { SessionManager } from '../../../src/manager.js';
import { honoSessions, type HonoSessionOptions, type SessionEnv } from '../../../src/adapters/hono.js';
import { routes, type AppData } from './app.js';
import type { Running } from './servers.js';

/** A Hono app served by @hono/node-server on 127.0.0.1:0; `setup` registers middleware and routes. */
export function startHono<E extends Env = SessionEnv<AppData>>(setup: (app: Hono<E>) => void): Promise<Running> {
  const app = new Hono<E>();
  setup(app);
  return new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) => {
      resolve({
        url: `http://127.0.0.1:${info.port}`,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            if ('closeAllConnections' in server) server.closeAllConnections();
          }),
      });
    });
  });
}

/** Serves `routes` through sessionkit/hono (the shape of `serve` in app.ts). */
export function serveHono(manager: SessionManager<AppData>, options?: HonoSessionOptions): Promise<Running> {
  return startHono((app) => {
    app.use(honoSessions(manager, options));
    for (const [path, route] of Object.entries(routes)) {
      app.get(path, async (c) => c.text(await route(c.get('session'), new URL(c.req.url).searchParams)));
    }
  });
}
