// The demo's routes: sign in, the device list, and the three ways to log out.
import type { TemplatedApp } from 'uWebSockets.js';
import type { SessionManager } from '../../src/index.js';
import type { UwsSessionHandler, WithSession } from '../../src/adapters/uws.js';
import { csrfMatches, csrfToken } from './csrf.js';
import type { DemoData } from './data.js';
import { readForm } from './form.js';
import type { LoginCsrfCookie } from './login-csrf.js';
import { devicesPage, errorPage, loginPage } from './pages.js';
import { redirect, sendPage } from './respond.js';
import { listDevices } from './sessions-view.js';
import { STYLESHEET } from './style.js';

/** The password every demo user has; the sign-in page says so. */
const DEMO_PASSWORD = 'demo';
/** The longest User-Agent kept in a session. */
const MAX_USER_AGENT = 512;

/** A username: 1 to 64 characters after trimming, no control characters. */
function validUsername(value: string): boolean {
  return value.length >= 1 && value.length <= 64 && !/[\p{Cc}]/u.test(value);
}

function forbidden(res: Parameters<UwsSessionHandler<DemoData>>[0]): void {
  sendPage(res, '403 Forbidden', errorPage('This form has expired', 'The page you sent it from is out of date. Go back to the start and try again.'));
}

/** Adds every route of the demo to `app`. */
export function addRoutes(app: TemplatedApp, sessions: SessionManager<DemoData>, withSession: WithSession<DemoData>, loginCsrf: LoginCsrfCookie): void {
  app.get('/style.css', (res) => {
    res.writeHeader('Content-Type', 'text/css; charset=utf-8').writeHeader('Cache-Control', 'max-age=3600').end(STYLESHEET);
  });

  app.get(
    '/',
    withSession((res, _req, session) => {
      redirect(res, session.userId === undefined ? '/login' : '/devices');
    }),
  );

  // Showing the form stores nothing: its CSRF token is a cookie of its own, not a session.
  app.get(
    '/login',
    withSession((res, _req, session) => {
      if (session.userId !== undefined) return redirect(res, '/devices');
      sendPage(res, '200 OK', loginPage(loginCsrf.issue(res), ''));
    }),
  );

  app.post(
    '/login',
    withSession(async (res, req, session) => {
      const userAgent = req.getHeader('user-agent').slice(0, MAX_USER_AGENT);
      // Read before the body: uWS's req is only valid until the handler first awaits.
      const formCsrf = loginCsrf.matcher(req);
      const form = await readForm(res, req.getHeader('content-type'));
      if (!formCsrf(form)) return forbidden(res);
      const username = (form.get('username') ?? '').trim();
      if (!validUsername(username) || form.get('password') !== DEMO_PASSWORD) {
        // A failed sign-in stores nothing either: the form comes back with the message.
        return sendPage(res, '200 OK', loginPage(loginCsrf.issue(res), 'Wrong username or password. The password is "demo".'));
      }
      // Start from a clean session: nothing the anonymous visitor's session held carries over, and
      // the signed-in session gets its own handle and creation time (the list's "signed in" time;
      // otherwise that would be when this browser first opened the sign-in page).
      await session.destroy();
      await session.login(username); // a new token: a token planted before sign-in is worthless after it
      csrfToken(session);
      session.put('device', userAgent);
      loginCsrf.clear(res);
      redirect(res, '/devices');
    }),
  );

  app.get(
    '/devices',
    withSession(async (res, _req, session) => {
      const userId = session.userId;
      if (userId === undefined) return redirect(res, '/login');
      const devices = await listDevices(sessions, session, userId);
      sendPage(res, '200 OK', devicesPage(userId, devices, csrfToken(session)));
    }),
  );

  // Log out this device: the session and its token are gone from the store.
  app.post(
    '/logout',
    withSession(async (res, req, session) => {
      const form = await readForm(res, req.getHeader('content-type'));
      if (session.userId === undefined) return redirect(res, '/login');
      if (!csrfMatches(session, form)) return forbidden(res);
      await session.destroy();
      redirect(res, '/login');
    }),
  );

  // Log out one of this user's other devices, named by its handle (never its token).
  app.post(
    '/devices/logout',
    withSession(async (res, req, session) => {
      const form = await readForm(res, req.getHeader('content-type'));
      const userId = session.userId;
      if (userId === undefined) return redirect(res, '/login');
      if (!csrfMatches(session, form)) return forbidden(res);
      await sessions.destroySession(userId, form.get('handle') ?? '');
      redirect(res, '/devices');
    }),
  );

  app.post(
    '/devices/logout-others',
    withSession(async (res, req, session) => {
      const form = await readForm(res, req.getHeader('content-type'));
      const userId = session.userId;
      if (userId === undefined) return redirect(res, '/login');
      if (!csrfMatches(session, form)) return forbidden(res);
      await sessions.destroySessions(userId, { except: session });
      redirect(res, '/devices');
    }),
  );

  app.any('/*', (res) => {
    sendPage(res, '404 Not Found', errorPage('Not found', 'There is no page at this address.'));
  });
}
