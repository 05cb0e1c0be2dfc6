// CSRF protection of the sign-in form without a session: a double-submit cookie, so that showing the form stores nothing.
import { timingSafeEqual } from 'node:crypto';
import type { HttpRequest, HttpResponse } from 'uWebSockets.js';
import { generateToken } from '../../src/index.js';

/** How long a sign-in form stays valid. */
const FORM_LIFETIME_SECONDS = 30 * 60;

/** The sign-in form's CSRF cookie: its name (with `__Host-` when the site is served over HTTPS, against cookie tossing) and attributes. */
export class LoginCsrfCookie {
  readonly name: string;
  readonly #attributes: string;

  constructor(secure: boolean) {
    this.name = secure ? '__Host-login-csrf' : 'login-csrf';
    this.#attributes = `Path=/; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
  }

  /** A fresh token for a sign-in form, also sent as the cookie. */
  issue(res: HttpResponse): string {
    const token = generateToken();
    res.writeHeader('Set-Cookie', `${this.name}=${token}; Max-Age=${FORM_LIFETIME_SECONDS}; ${this.#attributes}`);
    return token;
  }

  /** Reads this browser's cookie now (while `req` is valid); the result tells whether a form carries the same token. */
  matcher(req: HttpRequest): (form: URLSearchParams) => boolean {
    const expected = cookieValue(req.getHeader('cookie'), this.name);
    return (form) => {
      const given = form.get('csrf');
      if (expected === undefined || expected === '' || given === null) return false;
      const a = Buffer.from(expected);
      const b = Buffer.from(given);
      return a.length === b.length && timingSafeEqual(a, b);
    };
  }

  /** Deletes the cookie once the form has served its purpose. */
  clear(res: HttpResponse): void {
    res.writeHeader('Set-Cookie', `${this.name}=; Max-Age=0; ${this.#attributes}`);
  }
}

/** The value of cookie `name` in a Cookie header, or undefined. */
function cookieValue(header: string, name: string): string | undefined {
  for (const pair of header.split(';')) {
    const at = pair.indexOf('=');
    if (at !== -1 && pair.slice(0, at).trim() === name) return pair.slice(at + 1).trim();
  }
  return undefined;
}
