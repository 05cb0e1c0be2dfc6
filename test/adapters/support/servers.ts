/*
 * Servers for the adapter tests, and the adapter entries of the shared adapter suite
 * (behaviour.test.ts, scs.test.ts, failures.test.ts run every entry of `adapterServers` with every
 * store kind of store.ts).
 *
 * Plugging in an adapter is one entry in `adapterServers`:
 *
 *   {
 *     name: 'koa',
 *     handlerErrors: 'framework',   // who answers a handler that throws: 'onError' (the adapter's)
 *                                   // or 'framework' (Express, Fastify, Hono: their error handler)
 *     serve(manager, options) { ... return a Running }
 *   }
 *
 * `serve` starts a server on 127.0.0.1:0 with the adapter's session middleware for `manager`, and:
 * - passes `options.tokenHeader` through, and turns `options.onError` (framework-neutral: returns
 *   a Reply, a promise of one, or undefined for "answer nothing") into the adapter's onError,
 *   returning the promise when there is one;
 * - answers every path of `routes` (app.ts) by calling the route with the request's session and
 *   query, then sending its Reply: the status (default 200), each header added in order (a
 *   framework that replaces headers joins a repeated list header with ", "), `Content-Type:
 *   text/plain`, and the body; unknown paths get the framework's 404. A route that throws or
 *   rejects must reach the adapter (or framework) as a failing handler: never catch it in the entry.
 *
 * What only one framework has (a hijacked Fastify reply, Hono streams and fetched responses, the
 * uWS and node:http streaming and body APIs) is tested in that adapter's own test file.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import express4 from 'express4';
import uWS from 'uWebSockets.js';
import type { SessionManager } from '../../../src/manager.js';
import { nodeSessions } from '../../../src/adapters/node.js';
import { uwsSessions, type SessionHttpResponse } from '../../../src/adapters/uws.js';
import { replyParts, routes, statusLine, translateOnError, type AppData, type Reply, type TestOptions } from './app.js';
import { serveFastify } from './fastify-server.js';
import { serveHono } from './hono-server.js';
import { storeKinds, type StoreKind } from '../../support/store.js';

export interface Running {
  url: string;
  close(): Promise<void>;
}

/** One adapter in the shared suite, with what it does differently. */
export interface AdapterServer {
  readonly name: string;
  /**
   * Who answers a handler that throws or rejects: the adapter's `onError` (uws, plain node:http),
   * or the framework's own error handler (Express's error middleware, Fastify's setErrorHandler,
   * Hono's app.onError), whose body and logging are the framework's. Either way nothing is
   * committed and Vary is sent.
   */
  readonly handlerErrors: 'onError' | 'framework';
  serve(manager: SessionManager<AppData>, options?: TestOptions): Promise<Running>;
}

export const adapterServers: AdapterServer[] = [
  { name: 'uws', handlerErrors: 'onError', serve: serveUws },
  { name: 'node', handlerErrors: 'onError', serve: serveNode },
  { name: 'express', handlerErrors: 'framework', serve: (manager, options) => serveExpress(manager, options, 5) },
  { name: 'express4', handlerErrors: 'framework', serve: (manager, options) => serveExpress(manager, options, 4) },
  { name: 'fastify', handlerErrors: 'framework', serve: serveFastify },
  { name: 'hono', handlerErrors: 'framework', serve: serveHono },
];

/** Every adapter with every store kind, as [title, case] rows for the shared suite's describe.each(...)('%s'). */
export const adapterCases: [string, { server: AdapterServer; store: StoreKind }][] = adapterServers.flatMap((server) =>
  storeKinds.map((store): [string, { server: AdapterServer; store: StoreKind }] => [`${server.name} adapter with ${store}`, { server, store }]),
);

function serveUws(manager: SessionManager<AppData>, options: TestOptions = {}): Promise<Running> {
  const send = (res: SessionHttpResponse, reply: Reply): void => {
    const { status, headers, body } = replyParts(reply);
    res.cork(() => {
      res.writeStatus(statusLine(status));
      for (const [name, value] of headers) res.writeHeader(name, value);
      res.writeHeader('Content-Type', 'text/plain').end(body);
    });
  };
  const withSession = uwsSessions(manager, {
    tokenHeader: options.tokenHeader,
    onError: translateOnError(options.onError, (res: SessionHttpResponse, reply) => {
      if (!res.aborted) send(res, reply);
    }),
  });
  return startUws((app) => {
    app.any(
      '/*',
      withSession((res, req, session) => {
        const route = routes[req.getUrl()];
        if (route === undefined) return void res.writeStatus('404 Not Found').end();
        const reply = route(session, new URLSearchParams(req.getQuery()));
        if (typeof reply === 'object' && 'then' in reply) return reply.then((answer) => send(res, answer));
        send(res, reply);
      }),
    );
  });
}

function sendNode(res: ServerResponse, reply: Reply): void {
  const { status, headers, body } = replyParts(reply);
  res.writeHead(status, [...headers.flat(), 'Content-Type', 'text/plain']);
  res.end(body);
}

function serveNode(manager: SessionManager<AppData>, options: TestOptions = {}): Promise<Running> {
  const sessions = nodeSessions(manager, { tokenHeader: options.tokenHeader, onError: translateOnError(options.onError, sendNode) });
  return startNode(
    sessions.wrap((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      const route = routes[url.pathname];
      if (route === undefined) return void res.writeHead(404).end();
      const reply = route(req.session, url.searchParams);
      if (typeof reply === 'object' && 'then' in reply) return reply.then((answer) => sendNode(res, answer));
      sendNode(res, reply);
    }),
  );
}

function serveExpress(manager: SessionManager<AppData>, options: TestOptions = {}, version: 4 | 5 = 5): Promise<Running> {
  const sessions = nodeSessions(manager, { tokenHeader: options.tokenHeader, onError: translateOnError(options.onError, sendNode) });
  return startExpress((app) => {
    app.use(sessions);
    for (const [path, route] of Object.entries(routes)) {
      app.get(path, (req, res, next) => {
        const query = new URLSearchParams(req.url.split('?')[1] ?? '');
        let reply: Reply | Promise<Reply>;
        try {
          reply = route(req.session as never, query);
        } catch (error) {
          return next(error); // Express 4 does not catch for us
        }
        Promise.resolve(reply).then((answer) => {
          const { status, headers, body } = replyParts(answer);
          res.status(status);
          for (const [name, value] of headers) res.append(name, value);
          res.type('text/plain').send(body);
        }, next);
      });
    }
  }, version);
}

/** A uWS app on 127.0.0.1:0; `setup` registers its routes. */
export function startUws(setup: (app: uWS.TemplatedApp) => void): Promise<Running> {
  const app = uWS.App();
  setup(app);
  return new Promise((resolve, reject) => {
    app.listen('127.0.0.1', 0, (socket) => {
      if (socket === false) return reject(new Error('uWS could not listen'));
      resolve({
        url: `http://127.0.0.1:${uWS.us_socket_local_port(socket)}`,
        close: async () => uWS.us_listen_socket_close(socket),
      });
    });
  });
}

/** A node:http server on 127.0.0.1:0. */
export function startNode(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<Running> {
  return listen(createServer(handler));
}

/** An Express app on 127.0.0.1:0: Express 5, or Express 4 with `version: 4`. */
export function startExpress(setup: (app: express.Express) => void, version: 4 | 5 = 5): Promise<Running> {
  const app = version === 4 ? express4() : express();
  setup(app);
  return listen(createServer(app));
}

/** Resolves once `server` listens on 127.0.0.1:0; its close also ends open connections. */
export function listen(server: ReturnType<typeof createServer>): Promise<Running> {
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
