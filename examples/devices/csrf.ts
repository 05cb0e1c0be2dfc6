// Per-session CSRF tokens: one random token kept in a signed-in session and echoed by every form of its pages.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Session } from '../../src/index.js';
import type { DemoData } from './data.js';

/** The session's CSRF token, created on first use. */
export function csrfToken(session: Session<DemoData>): string {
  let token = session.get('csrf');
  if (token === undefined) {
    token = randomBytes(32).toString('base64url');
    session.put('csrf', token);
  }
  return token;
}

/** True when the form carries the session's CSRF token. */
export function csrfMatches(session: Session<DemoData>, form: URLSearchParams): boolean {
  const expected = session.get('csrf');
  const given = form.get('csrf');
  if (expected === undefined || given === null) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}
