// The session cookie: a scan of the Cookie header, and a Set-Cookie serializer that refuses cookies browsers drop.
import { optionError } from './errors.js';
import { isToken } from './token.js';

/** Attributes of the session cookie. */
export interface CookieOptions {
  /** Cookie name; default `session`. `__Host-` and `__Secure-` prefixes (in any case, as browsers match them) are checked. */
  name?: string;
  /** Domain attribute; default none (host-only). */
  domain?: string;
  /** Path attribute; default `/`. */
  path?: string;
  /** HttpOnly attribute; default true. */
  httpOnly?: boolean;
  /** Secure attribute; default false. Required by `sameSite: 'none'`, `partitioned` and the name prefixes. */
  secure?: boolean;
  /** SameSite attribute; default `'lax'`; false leaves it out. */
  sameSite?: 'lax' | 'strict' | 'none' | false;
  /** Partitioned (CHIPS) attribute; default false. */
  partitioned?: boolean;
  /** Persistent cookie (Expires and Max-Age); default true. When false only `rememberMe(true)` sessions persist. */
  persist?: boolean;
}

/** The cookie options with every default applied. */
export type ResolvedCookieOptions = Required<Omit<CookieOptions, 'domain'>> & { domain: string | undefined };

// RFC 6265 cookie-name (an RFC 7230 token) and cookie-octet sets.
const TOKEN_CHARS = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const DOMAIN_CHARS = /^\.?[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$/;
const PATH_CHARS = /^[\x20-\x3a\x3c-\x7e]+$/;
const COOKIE_OCTETS = /^[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]*$/;
/** The last instant a cookie-date (RFC 6265: four-digit year) can name. */
const LATEST_COOKIE_DATE = Date.UTC(9999, 11, 31, 23, 59, 59);

/** Applies defaults and throws a TypeError naming the option for any combination a browser would drop. */
export function resolveCookieOptions(options: CookieOptions = {}): ResolvedCookieOptions {
  if (options === null || typeof options !== 'object') throw optionError('cookie', 'must be an object', options);
  const { name = 'session', domain, path = '/', httpOnly = true, secure = false, sameSite = 'lax', partitioned = false, persist = true } = options;
  if (typeof name !== 'string' || !TOKEN_CHARS.test(name)) {
    throw optionError('cookie.name', 'must be a non-empty RFC 6265 cookie name (no spaces, separators or control characters)', name);
  }
  if (domain !== undefined && (typeof domain !== 'string' || !DOMAIN_CHARS.test(domain))) {
    throw optionError('cookie.domain', 'must be a host name such as "example.com"', domain);
  }
  if (typeof path !== 'string' || !path.startsWith('/') || !PATH_CHARS.test(path)) {
    throw optionError('cookie.path', 'must start with "/" and hold no ";" or control characters', path);
  }
  for (const [key, value] of [
    ['httpOnly', httpOnly],
    ['secure', secure],
    ['partitioned', partitioned],
    ['persist', persist],
  ] as const) {
    if (typeof value !== 'boolean') throw optionError(`cookie.${key}`, 'must be a boolean', value);
  }
  if (sameSite !== false && sameSite !== 'lax' && sameSite !== 'strict' && sameSite !== 'none') {
    throw optionError('cookie.sameSite', "must be 'lax', 'strict', 'none' or false", sameSite);
  }
  if (sameSite === 'none' && !secure) throw optionError('cookie.sameSite', "'none' requires cookie.secure: true (browsers drop it otherwise)");
  if (partitioned && !secure) throw optionError('cookie.partitioned', 'requires cookie.secure: true (browsers drop it otherwise)');
  // Browsers match the prefixes in any case (__HOST-, __secure-), so the checks do too.
  const lowerName = name.toLowerCase();
  if (lowerName.startsWith('__host-')) {
    if (!secure) throw optionError('cookie.name', 'with the __Host- prefix (in any case) requires cookie.secure: true', name);
    if (domain !== undefined) throw optionError('cookie.domain', 'must be unset for a __Host- cookie', domain);
    if (path !== '/') throw optionError('cookie.path', 'must be "/" for a __Host- cookie', path);
  }
  if (lowerName.startsWith('__secure-') && !secure) {
    throw optionError('cookie.name', 'with the __Secure- prefix (in any case) requires cookie.secure: true', name);
  }
  return { name, domain, path, httpOnly, secure, sameSite, partitioned, persist };
}

/** Builds Set-Cookie values for one set of options; the fixed attributes are joined once, here. */
export class CookieSerializer {
  readonly name: string;
  readonly persist: boolean;
  private readonly prefix: string;
  private readonly attributes: string;
  private readonly cleared: string;
  /** The last Expires value built, and the second it is for: responses within one second share it. */
  private expiresSecond = Number.NaN;
  private expiresText = '';

  constructor(options: ResolvedCookieOptions) {
    this.name = options.name;
    this.persist = options.persist;
    this.prefix = `${options.name}=`;
    let attributes = `; Path=${options.path}`;
    if (options.domain !== undefined) attributes += `; Domain=${options.domain}`;
    if (options.httpOnly) attributes += '; HttpOnly';
    if (options.secure) attributes += '; Secure';
    if (options.sameSite !== false) attributes += `; SameSite=${options.sameSite[0]!.toUpperCase()}${options.sameSite.slice(1)}`;
    if (options.partitioned) attributes += '; Partitioned';
    this.attributes = attributes;
    this.cleared = `${this.prefix}${attributes}; Expires=Thu, 01 Jan 1970 00:00:01 GMT; Max-Age=0`;
  }

  /** Set-Cookie value carrying `value`; with `expiresAt` (ms since epoch) it persists until then. */
  serialize(value: string, expiresAt?: number, now = Date.now()): string {
    if (!isToken(value) && !COOKIE_OCTETS.test(value)) throw new TypeError('sessionkit: cookie: value has characters outside RFC 6265 cookie-octets');
    if (expiresAt === undefined) return this.prefix + value + this.attributes;
    // A cookie-date has a four-digit year: later (or negative) expiries are written as the nearest one.
    if (!(expiresAt <= LATEST_COOKIE_DATE)) expiresAt = Number.isNaN(expiresAt) ? 0 : LATEST_COOKIE_DATE;
    else if (expiresAt < 0) expiresAt = 0;
    const maxAge = Math.max(0, Math.ceil((expiresAt - now) / 1000));
    const second = Math.floor(expiresAt / 1000);
    if (second !== this.expiresSecond) {
      this.expiresSecond = second;
      this.expiresText = new Date(second * 1000).toUTCString();
    }
    return `${this.prefix}${value}${this.attributes}; Expires=${this.expiresText}; Max-Age=${maxAge}`;
  }

  /** Set-Cookie value that deletes the cookie: empty value, Max-Age=0 and an Expires in the past. */
  clear(): string {
    return this.cleared;
  }
}

/**
 * Finds the first value of cookie `name` in a Cookie header, scanning in place (no split, no map).
 * Returns undefined when absent. Whitespace around pairs is skipped as RFC 6265 allows.
 */
export function findCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  const length = header.length;
  const nameLength = name.length;
  let i = 0;
  while (i < length) {
    while (i < length && (header.charCodeAt(i) === 32 || header.charCodeAt(i) === 9)) i++;
    let end = header.indexOf(';', i);
    if (end === -1) end = length;
    if (header.charCodeAt(i + nameLength) === 61 /* = */ && header.startsWith(name, i)) {
      let valueStart = i + nameLength + 1;
      let valueEnd = end;
      while (valueEnd > valueStart && (header.charCodeAt(valueEnd - 1) === 32 || header.charCodeAt(valueEnd - 1) === 9)) valueEnd--;
      if (header.charCodeAt(valueStart) === 34 && valueEnd - valueStart >= 2 && header.charCodeAt(valueEnd - 1) === 34) {
        valueStart++;
        valueEnd--;
      }
      return header.slice(valueStart, valueEnd);
    }
    i = end + 1;
  }
  return undefined;
}
