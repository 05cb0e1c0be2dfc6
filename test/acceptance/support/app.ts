// The acceptance app over the uWS and node adapters: routes that put a key after awaiting, log in, list and destroy a user's sessions.
import type { ServerResponse } from 'node:http';
import { nodeSessions } from '../../../src/adapters/node.js';
import { uwsSessions, type SessionHttpResponse } from '../../../src/adapters/uws.js';
import type { Session, SessionManager } from '../../../src/index.js';
import { startNode, startUws, type Running } from '../../adapters/support/servers.js';
import { sleep } from '../../support/time.js';

export type AdapterName = 'uws' | 'node';
export const ADAPTERS: AdapterName[] = ['uws', 'node'];

/** Requests to `/put-at-gate` wait here until the test opens it: then they all resume, and commit, in the same tick. */
export const gate = {
  waiting: 0,
  open: () => {},
  opened: Promise.resolve(),
  /** Closes the gate; the next `/put-at-gate` requests wait until `open()`. */
  close(): void {
    this.waiting = 0;
    this.opened = new Promise<void>((resolve) => (this.open = resolve));
  },
};

type Route = (session: Session, query: URLSearchParams, manager: SessionManager) => Promise<string>;

/** Requests parked by `hold=<name>` until the test calls {@link release}. */
const parked = new Map<string, { until: Promise<void>; release(): void }>();

function parking(name: string): { until: Promise<void>; release(): void } {
  let spot = parked.get(name);
  if (spot === undefined) {
    let release!: () => void;
    const until = new Promise<void>((resolve) => (release = resolve));
    spot = { until, release };
    parked.set(name, spot);
  }
  return spot;
}

/** Lets the requests parked under `name` go on (or, if none arrived yet, lets them through when they do). */
export function release(name: string): void {
  parking(name).release(); // kept, resolved: a request parking under `name` later goes straight through
}

/** Waits for `release(hold)` when the query has `hold`, else `ms` ms (default: `fallback`). */
function pause(query: URLSearchParams, fallback: number): Promise<void> {
  const hold = query.get('hold');
  if (hold !== null) return parking(hold).until;
  return sleep(Number(query.get('ms') ?? fallback));
}

/** Every route awaits before it touches the session, so requests of one session overlap between load and commit. */
const routes: Record<string, Route> = {
  // Puts k=v after `ms` ms (default: a random 0-9 ms), or once the test releases `hold`.
  '/put': async (session, query) => {
    await pause(query, Math.floor(Math.random() * 10));
    session.put(query.get('k')!, query.get('v') ?? 'x');
    return 'ok';
  },
  // Puts k=v once the gate opens (handlers awaiting one shared promise, as a coalesced database call).
  '/put-at-gate': async (session, query) => {
    gate.waiting++;
    await gate.opened;
    session.put(query.get('k')!, query.get('v') ?? 'x');
    return 'ok';
  },
  // Reads the session after `ms` ms, or once the test releases `hold`, and changes nothing (under an idle timeout, its save slides the expiry).
  '/read': async (session, query) => {
    await pause(query, 0);
    return JSON.stringify(session.get('secret') ?? null);
  },
  '/values': async (session) => JSON.stringify(Object.fromEntries(session.keys().map((key) => [key, session.get(key)]))),
  '/destroy': async (session) => {
    await session.destroy();
    return 'destroyed';
  },
  '/login': async (session, query) => {
    await session.login(query.get('user')!);
    return session.handle;
  },
  '/handle': async (session) => session.handle,
  '/list': async (_session, query, manager) => JSON.stringify(await manager.listSessions(query.get('user')!)),
  '/destroy-session': async (_session, query, manager) => String(await manager.destroySession(query.get('user')!, query.get('handle')!)),
  '/log-out-others': async (session, query, manager) => String(await manager.destroySessions(query.get('user')!, { except: session })),
};

/** Serves the routes over `adapter` for `manager` on 127.0.0.1:0. */
export function serve(adapter: AdapterName, manager: SessionManager): Promise<Running> {
  return adapter === 'uws' ? serveUws(manager) : serveNode(manager);
}

function serveUws(manager: SessionManager): Promise<Running> {
  const withSession = uwsSessions(manager);
  return startUws((app) => {
    app.get(
      '/*',
      withSession(async (res: SessionHttpResponse, req, session) => {
        // uWS's request is valid only until the first await.
        const route = routes[req.getUrl()];
        const query = new URLSearchParams(req.getQuery());
        if (route === undefined) return void res.writeStatus('404 Not Found').end();
        const body = await route(session, query, manager);
        if (!res.aborted) res.cork(() => res.writeHeader('Content-Type', 'text/plain').end(body));
      }),
    );
  });
}

function serveNode(manager: SessionManager): Promise<Running> {
  const sessions = nodeSessions(manager);
  return startNode(
    sessions.wrap(async (req, res: ServerResponse) => {
      const url = new URL(req.url ?? '/', 'http://x');
      const route = routes[url.pathname];
      if (route === undefined) return void res.writeHead(404).end();
      const body = await route(req.session, url.searchParams, manager);
      res.writeHead(200, { 'Content-Type': 'text/plain' }).end(body);
    }),
  );
}

/** The session token a response set, '' when it cleared the cookie, undefined when it sent no Set-Cookie. */
export function setToken(response: Response): string | undefined {
  const line = response.headers.getSetCookie().find((cookie) => cookie.startsWith('session='));
  if (line === undefined) return undefined;
  return line.slice('session='.length, line.indexOf(';') === -1 ? undefined : line.indexOf(';'));
}

/** A GET with the session cookie `token` (none when undefined); resolves the response and its body. */
export async function get(base: string, path: string, token?: string): Promise<{ response: Response; body: string }> {
  const response = await fetch(base + path, { headers: token === undefined ? {} : { cookie: `session=${token}` } });
  return { response, body: await response.text() };
}
