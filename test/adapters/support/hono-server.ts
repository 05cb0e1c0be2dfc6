// Starts Hono on @hono/node-server on an ephemeral port with sessionkit/hono, and serves the shared `routes` on it (the shared suite's hono entry).
import { serve } from '@hono/node-server';
import { Hono, type Context, type Env } from 'hono';
import type { AddressInfo } from 'node:net';
import type { SessionManager } from '../../../src/manager.js';
import { honoSessions, type SessionEnv } from '../../../src/adapters/hono.js';
import { replyParts, routes, type AppData, type Reply, type TestOptions } from './app.js';
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

/** The Response for a shared route's reply. */
function respond(c: Context, answer: Reply): Response {
  const { status, headers, body } = replyParts(answer);
  for (const [name, value] of headers) c.header(name, value, { append: true });
  c.header('Content-Type', 'text/plain');
  return c.body(body, status as 200);
}

/** Serves `routes` through sessionkit/hono; a failing route reaches Hono's app.onError. */
export function serveHono(manager: SessionManager<AppData>, options: TestOptions = {}): Promise<Running> {
  const { onError } = options;
  return startHono((app) => {
    app.use(
      honoSessions(manager, {
        tokenHeader: options.tokenHeader,
        onError:
          onError &&
          ((error, c) => {
            const answer = onError(error);
            return answer instanceof Promise ? answer.then((later) => respondOrNothing(c, later)) : respondOrNothing(c, answer);
          }),
      }),
    );
    for (const [path, route] of Object.entries(routes)) {
      app.get(path, async (c) => respond(c, await route(c.get('session'), new URL(c.req.url).searchParams)));
    }
  });
}

/** A TestOnError's undefined ("answer nothing") goes to the adapter as it is, though Hono's onError type wants a Response. */
function respondOrNothing(c: Context, answer: Reply | undefined): Response {
  return (answer === undefined ? undefined : respond(c, answer)) as Response;
}
