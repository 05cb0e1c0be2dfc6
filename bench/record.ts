// The realistic session record every suite uses: a user id, roles, a flash message, a counter, a Date.
import type { SessionManager } from '../src/manager.js';

export const RECORD_ENTRIES: ReadonlyArray<readonly [string, unknown]> = [
  ['userId', 48213],
  ['roles', ['user', 'editor', 'billing']],
  ['flash', 'Your changes were saved.'],
  ['counter', 17],
  ['loginAt', new Date('2025-01-15T09:30:00.000Z')],
];

/** A fresh Map holding the record. */
export function recordValues(): Map<string, unknown> {
  return new Map(RECORD_ENTRIES.map(([key, value]) => [key, value]));
}

/** Commits a session holding the record and returns its token. */
export async function seedSession(manager: SessionManager): Promise<string> {
  const session = await manager.load();
  for (const [key, value] of RECORD_ENTRIES) session.put(key, value);
  const { token } = await manager.commit(session);
  return token;
}
