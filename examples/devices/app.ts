// The devices demo as a server you can start and stop: uWebSockets.js, LmdbStore, and the routes.
import { mkdirSync } from 'node:fs';
import uWS from 'uWebSockets.js';
import { LmdbStore } from '../../native-store/index.js';
import { SessionManager } from '../../src/index.js';
import { uwsSessions, type SessionHttpResponse } from '../../src/adapters/uws.js';
import { ActivityLog } from './activity.js';
import { addActivityRoutes } from './activity-routes.js';
import type { DemoData } from './data.js';
import { FormError } from './form.js';
import { LoginCsrfCookie } from './login-csrf.js';
import { errorPage } from './pages.js';
import { sendPage } from './respond.js';
import { addRoutes } from './routes.js';

/** Where and how to run the demo. */
export interface DevicesAppOptions {
  /** Directory of the LMDB environment, created if missing. */
  dataDir: string;
  /** Address to listen on; default 127.0.0.1. */
  host?: string;
  /** Port; 0 (default) picks a free one. */
  port?: number;
  /** The site is served over HTTPS: cookies are sent with `Secure` and named with the `__Host-` prefix; default false. */
  secureCookie?: boolean;
  /** How long a sign-in lasts, ms; default a week. */
  lifetime?: number;
  /** How often expired sessions are swept (and show up as expired in the activity view), ms; default 60 000. */
  sweepInterval?: number;
}

/** A running demo server. */
export interface DevicesApp {
  /** The base URL, such as http://127.0.0.1:3000. */
  url: string;
  port: number;
  /** Stops listening and closes the store. */
  close(): Promise<void>;
}

/** A sign-in lasts a week. */
const LIFETIME = 7 * 24 * 60 * 60 * 1000;
/** Signing in on one more device than this logs out the user's oldest session. */
const MAX_DEVICES = 5;

function onError(error: unknown, _req: unknown, res: SessionHttpResponse): void {
  if (res.aborted || res.headersSent) return;
  if (error instanceof FormError) {
    res.cork(() => sendPage(res, '400 Bad Request', errorPage('Bad request', 'The form could not be read.')));
    return;
  }
  // sessionkit's errors never carry a token or session data, so the message is safe to log.
  console.error('devices: request failed:', error instanceof Error ? error.message : String(error));
  res.cork(() => sendPage(res, '500 Internal Server Error', errorPage('Something went wrong', 'Please try again.')));
}

/** Opens the store and starts listening. */
export async function startDevicesApp(options: DevicesAppOptions): Promise<DevicesApp> {
  mkdirSync(options.dataDir, { recursive: true });
  const store = new LmdbStore({ path: options.dataDir, sweepInterval: options.sweepInterval ?? 60_000 });
  const activity = new ActivityLog();
  const secure = options.secureCookie ?? false;
  const sessions = new SessionManager<DemoData>({
    store,
    lifetime: options.lifetime ?? LIFETIME,
    maxSessionsPerUser: MAX_DEVICES,
    // Over HTTPS the __Host- prefix keeps another site (a sibling subdomain, a man in the middle on
    // plain HTTP) from planting a session cookie of its own (cookie tossing).
    cookie: { name: secure ? '__Host-session' : 'session', sameSite: 'lax', httpOnly: true, secure },
  });
  const app = uWS.App();
  const withSession = uwsSessions(sessions, { onError });
  addActivityRoutes(app, sessions, withSession, activity);
  addRoutes(app, sessions, withSession, new LoginCsrfCookie(secure));

  const host = options.host ?? '127.0.0.1';
  const listenSocket = await new Promise<uWS.us_listen_socket>((resolve, reject) => {
    app.listen(host, options.port ?? 0, (socket) => {
      if (socket === false) reject(new Error(`devices: cannot listen on ${host}:${options.port ?? 0}`));
      else resolve(socket);
    });
  });
  const port = uWS.us_socket_local_port(listenSocket);
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    async close() {
      uWS.us_listen_socket_close(listenSocket);
      activity.stop();
      await store.close();
    },
  };
}
