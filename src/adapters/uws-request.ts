// Reading a uWS HttpRequest: the session cookie from every Cookie line, and a copy taken while it is valid for handlers that run after the session loaded asynchronously.
import type { HttpRequest } from 'uWebSockets.js';
import { findCookie } from '../cookie.js';
import { isToken } from '../token.js';

const MAX_PARAMETERS = 16;

/**
 * The session token in a request's cookies, from every `Cookie` line as node reads them joined
 * (the first occurrence of the cookie wins). uWS's getHeader gives the first line only, so the
 * other lines are looked at only when the first does not hold the cookie.
 * @internal
 */
export function tokenFromCookieLines(req: HttpRequest, name: string): string | undefined {
  let value = findCookie(req.getHeader('cookie'), name);
  if (value === undefined) {
    laterLines.name = name;
    req.forEach(visitCookieLine);
    value = laterLines.value;
    laterLines.value = undefined;
  }
  return isToken(value) ? value : undefined;
}

/** The state of one synchronous forEach, kept outside it so that the callback allocates nothing. */
const laterLines: { name: string; value: string | undefined } = { name: '', value: undefined };

function visitCookieLine(key: string, line: string): void {
  if (key === 'cookie' && laterLines.value === undefined) laterLines.value = findCookie(line, laterLines.name);
}

/**
 * A plain-object HttpRequest: uWS requests are stack-allocated and die when the route callback
 * returns, so when the store answers with a promise the handler gets this copy instead.
 */
export class CopiedRequest implements HttpRequest {
  private readonly headers: Map<string, string>;
  private readonly parameters: string[];
  private readonly url: string;
  private readonly method: string;
  private readonly caseSensitiveMethod: string;
  private readonly query: string;

  constructor(req: HttpRequest) {
    const headers = new Map<string, string>();
    req.forEach((key, value) => {
      if (!headers.has(key)) headers.set(key, value);
    });
    const parameters: string[] = [];
    for (let i = 0; i < MAX_PARAMETERS; i++) {
      const value = req.getParameter(i);
      if (value === '' || value === undefined) break;
      parameters.push(value);
    }
    this.headers = headers;
    this.parameters = parameters;
    this.url = req.getUrl();
    this.method = req.getMethod();
    this.caseSensitiveMethod = req.getCaseSensitiveMethod();
    this.query = req.getQuery() ?? '';
  }

  getHeader(lowerCaseKey: string | ArrayBuffer | ArrayBufferView): string {
    const key = typeof lowerCaseKey === 'string' ? lowerCaseKey : Buffer.from(lowerCaseKey as ArrayBuffer).toString('latin1');
    return this.headers.get(key) ?? '';
  }

  getParameter(index: number): string {
    return this.parameters[index] ?? '';
  }

  getUrl(): string {
    return this.url;
  }

  getMethod(): string {
    return this.method;
  }

  getCaseSensitiveMethod(): string {
    return this.caseSensitiveMethod;
  }

  getQuery(): string;
  getQuery(key: string): string;
  getQuery(key?: string): string {
    if (key === undefined) return this.query;
    return new URLSearchParams(this.query).get(key) ?? '';
  }

  forEach(cb: (key: string, value: string) => void): void {
    for (const [key, value] of this.headers) cb(key, value);
  }

  setYield(): HttpRequest {
    throw new Error('sessionkit: uws: setYield() cannot be used after the session loaded asynchronously');
  }
}
