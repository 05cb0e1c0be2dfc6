// The signed-in user's sessions as the devices page shows them.
import type { Session, SessionManager } from '../../src/index.js';
import type { DemoData } from './data.js';

/** One row of the device list. */
export interface SessionInfo {
  /** The session's non-secret handle: what "log out" on another device posts. */
  handle: string;
  createdAt: number;
  expiresAt: number;
  /** The User-Agent stored at sign-in. */
  device: string;
  /** True for the session of the browser looking at the page. */
  current: boolean;
}

/** The user's live sessions, newest first, with the current one marked. */
export async function listDevices(sessions: SessionManager<DemoData>, session: Session<DemoData>, userId: string): Promise<SessionInfo[]> {
  const list = await sessions.listSessions(userId);
  return list.map((entry) => ({
    handle: entry.handle,
    createdAt: entry.createdAt,
    expiresAt: entry.expiresAt,
    device: typeof entry.data.device === 'string' ? entry.data.device : '',
    current: entry.handle === session.handle,
  }));
}
