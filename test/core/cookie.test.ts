import { describe, expect, it } from 'vitest';
import { CookieSerializer, findCookie, resolveCookieOptions, type CookieOptions } from '../../src/cookie.js';

const serializer = (options: CookieOptions = {}) => new CookieSerializer(resolveCookieOptions(options));

describe('findCookie', () => {
  it('finds a cookie anywhere in the header', () => {
    expect(findCookie('session=abc', 'session')).toBe('abc');
    expect(findCookie('a=1; session=abc; b=2', 'session')).toBe('abc');
    expect(findCookie('a=1;session=abc', 'session')).toBe('abc');
    expect(findCookie('a=1;  session=abc  ;b', 'session')).toBe('abc');
    expect(findCookie('session="abc"', 'session')).toBe('abc');
  });

  it('does not match other cookies that contain the name', () => {
    expect(findCookie('mysession=abc', 'session')).toBeUndefined();
    expect(findCookie('session_id=abc', 'session')).toBeUndefined();
    expect(findCookie('x=session=abc', 'session')).toBeUndefined();
    expect(findCookie('sessionabc', 'session')).toBeUndefined();
    expect(findCookie('', 'session')).toBeUndefined();
    expect(findCookie(undefined, 'session')).toBeUndefined();
  });

  it('takes the first of duplicated names', () => {
    expect(findCookie('session=first; session=second', 'session')).toBe('first');
  });

  it('returns an empty value as empty', () => {
    expect(findCookie('session=; a=1', 'session')).toBe('');
  });
});

describe('CookieSerializer', () => {
  it('writes the SCS defaults: Path=/, HttpOnly, SameSite=Lax, and Expires + Max-Age when persistent', () => {
    const now = Date.UTC(2026, 0, 1, 0, 0, 0);
    expect(serializer().serialize('tok', now + 86_400_000, now)).toBe(
      'session=tok; Path=/; HttpOnly; SameSite=Lax; Expires=Fri, 02 Jan 2026 00:00:00 GMT; Max-Age=86400',
    );
    expect(serializer().serialize('tok')).toBe('session=tok; Path=/; HttpOnly; SameSite=Lax');
  });

  it('writes every attribute asked for', () => {
    const header = serializer({
      name: '__Secure-s',
      domain: 'example.com',
      path: '/app',
      secure: true,
      sameSite: 'none',
      partitioned: true,
      httpOnly: false,
    }).serialize('v');
    expect(header).toBe('__Secure-s=v; Path=/app; Domain=example.com; Secure; SameSite=None; Partitioned');
    expect(serializer({ sameSite: false }).serialize('v')).toBe('session=v; Path=/; HttpOnly');
    expect(serializer({ sameSite: 'strict' }).serialize('v')).toContain('SameSite=Strict');
  });

  it('clears with an empty value, Max-Age=0 and an Expires in the past', () => {
    const cleared = serializer().clear();
    expect(cleared).toMatch(/^session=; /);
    expect(cleared).toContain('Max-Age=0');
    expect(cleared).toContain('Expires=Thu, 01 Jan 1970 00:00:01 GMT');
  });

  it('rounds Max-Age up and never goes negative', () => {
    expect(serializer().serialize('t', 1500, 0)).toContain('Max-Age=2');
    expect(serializer().serialize('t', 0, 1000)).toContain('Max-Age=0');
  });

  it('writes an expiry beyond year 9999, or before 1970, as the nearest valid cookie-date', () => {
    const now = Date.UTC(2026, 0, 1);
    expect(serializer().serialize('t', Date.UTC(10000, 0, 1), now)).toContain('; Expires=Fri, 31 Dec 9999 23:59:59 GMT; Max-Age=251635075199');
    expect(serializer().serialize('t', 1e300, now)).toContain('; Expires=Fri, 31 Dec 9999 23:59:59 GMT; Max-Age=251635075199');
    expect(serializer().serialize('t', -8.64e15, now)).toContain('; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0');
    expect(serializer().serialize('t', Number.NaN, now)).toContain('; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0');
  });

  it('refuses values outside cookie-octets', () => {
    expect(() => serializer().serialize('a;b')).toThrow(TypeError);
    expect(() => serializer().serialize('a b')).toThrow(TypeError);
  });
});

describe('cookie options', () => {
  const rejects = (options: CookieOptions, option: string) =>
    expect(() => resolveCookieOptions(options)).toThrow(new RegExp(`option ${option.replace('.', '\\.')}`));

  it('reject combinations browsers drop, naming the option', () => {
    rejects({ name: '__Host-s' }, 'cookie.name');
    rejects({ name: '__Host-s', secure: true, domain: 'example.com' }, 'cookie.domain');
    rejects({ name: '__Host-s', secure: true, path: '/app' }, 'cookie.path');
    rejects({ name: '__Secure-s' }, 'cookie.name');
    rejects({ sameSite: 'none' }, 'cookie.sameSite');
    rejects({ partitioned: true }, 'cookie.partitioned');
  });

  it('reject names, domains, paths and values outside RFC 6265', () => {
    rejects({ name: 'a b' }, 'cookie.name');
    rejects({ name: 'a;b' }, 'cookie.name');
    rejects({ name: '' }, 'cookie.name');
    rejects({ domain: 'exa mple.com' }, 'cookie.domain');
    rejects({ path: 'app' }, 'cookie.path');
    rejects({ path: '/a;b' }, 'cookie.path');
    rejects({ sameSite: 'Lax' as 'lax' }, 'cookie.sameSite');
    rejects({ secure: 'yes' as unknown as boolean }, 'cookie.secure');
  });

  it('check the __Host- and __Secure- prefixes in any case, as browsers match them', () => {
    for (const name of ['__HOST-sid', '__host-sid', '__HoSt-sid']) {
      rejects({ name }, 'cookie.name');
      rejects({ name, secure: true, domain: 'example.com' }, 'cookie.domain');
      rejects({ name, secure: true, path: '/app' }, 'cookie.path');
      expect(resolveCookieOptions({ name, secure: true }).name).toBe(name);
    }
    for (const name of ['__SECURE-sid', '__secure-sid', '__sEcUrE-sid']) {
      rejects({ name }, 'cookie.name');
      expect(resolveCookieOptions({ name, secure: true, domain: 'example.com', path: '/app' }).name).toBe(name);
    }
    expect(resolveCookieOptions({ name: '_Host-sid' }).name).toBe('_Host-sid');
    expect(resolveCookieOptions({ name: '__Hostsid' }).name).toBe('__Hostsid');
  });

  it('accept a valid __Host- cookie', () => {
    expect(resolveCookieOptions({ name: '__Host-s', secure: true }).name).toBe('__Host-s');
  });
});
