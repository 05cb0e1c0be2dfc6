// One small session app mounted on every adapter, so the same end-to-end tests run against each.
import type { Session } from '../../../src/index.js';
import type { SessionManager } from '../../../src/manager.js';
import { nodeSessions, type NodeSessionOptions } from '../../../src/adapters/node.js';
import { uwsSessions, type UwsSessionOptions } from '../../../src/adapters/uws.js';
import { startExpress, startNode, startUws, type Running } from './servers.js';

export interface AppData {
  message: string;
}

type Route = (session: Session<AppData>, query: URLSearchParams) => string | Promise<string>;

export const routes: Record<string, Route> = {
  '/put': (session, query) => {
    session.put('message', query.get('v') ?? 'Hello from a session!');
    return 'ok';
  },
  '/get': (session) => session.getString('message'),
  '/token': (session) => session.token,
  '/destroy': async (session) => {
    await session.destroy();
    return 'destroyed';
  },
  '/renew': async (session) => {
    await session.renewToken();
    return 'renewed';
  },
  '/remember': (session) => {
    session.rememberMe(true);
    return 'remembered';
  },
};

export type AdapterName = 'uws' | 'node' | 'express' | 'express4';
export const adapters: AdapterName[] = ['uws', 'node', 'express', 'express4'];

type Options = UwsSessionOptions & NodeSessionOptions;

/** Serves `routes` through the named adapter. */
export function serve(adapter: AdapterName, manager: SessionManager<AppData>, options?: Options): Promise<Running> {
  if (adapter === 'uws') {
    const withSession = uwsSessions(manager, options as UwsSessionOptions);
    return startUws((app) => {
      app.any('/*', withSession((res, req, session) => {
        const route = routes[req.getUrl()];
        if (route === undefined) {
          res.writeStatus('404 Not Found').end();
          return;
        }
        const body = route(session, new URLSearchParams(req.getQuery()));
        if (typeof body === 'string') {
          res.writeHeader('Content-Type', 'text/plain').end(body);
          return;
        }
        return body.then((text) => {
          res.cork(() => res.writeHeader('Content-Type', 'text/plain').end(text));
        });
      }));
    });
  }
  const sessions = nodeSessions(manager, options as NodeSessionOptions);
  if (adapter === 'node') {
    return startNode(sessions.wrap(async (req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      const route = routes[url.pathname];
      if (route === undefined) {
        res.statusCode = 404;
        res.end();
        return;
      }
      const body = await route(req.session, url.searchParams);
      res.setHeader('Content-Type', 'text/plain');
      res.end(body);
    }));
  }
  return startExpress((app) => {
    app.use(sessions);
    for (const [path, route] of Object.entries(routes)) {
      app.get(path, async (req, res) => {
        const query = new URLSearchParams(req.url.split('?')[1] ?? '');
        res.type('text/plain').send(await route(req.session as unknown as Session<AppData>, query));
      });
    }
  }, adapter === 'express4' ? 4 : 5);
}
