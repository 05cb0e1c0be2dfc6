// The /activity route: the signed-in user's recent activity from the ActivityLog.
import type { TemplatedApp } from 'uWebSockets.js';
import type { SessionManager } from '../../src/index.js';
import type { WithSession } from '../../src/adapters/uws.js';
import type { ActivityLog } from './activity.js';
import { activityPage } from './activity-page.js';
import type { DemoData } from './data.js';
import { redirect, sendPage } from './respond.js';

export function addActivityRoutes(app: TemplatedApp, sessions: SessionManager<DemoData>, withSession: WithSession<DemoData>, activity: ActivityLog): void {
  app.get(
    '/activity',
    withSession(async (res, _req, session) => {
      const userId = session.userId;
      if (userId === undefined) return redirect(res, '/login');
      for (const live of await sessions.listSessions(userId)) {
        if (typeof live.data.device === 'string') activity.noteDevice(live.handle, live.data.device);
      }
      sendPage(
        res,
        '200 OK',
        activityPage(userId, activity.of(userId), session.handle, (handle) => activity.deviceOf(handle)),
      );
    }),
  );
}
