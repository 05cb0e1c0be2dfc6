// Adapter behaviours shared by every adapter (uWS, node:http, Express 4 and 5, Fastify, Hono): headers, store writes, token header, bad cookies, store failures.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SessionManager } from '../../src/index.js';
import { honoSessions } from '../../src/adapters/hono.js';
import { nodeSessions } from '../../src/adapters/node.js';
import { uwsSessions } from '../../src/adapters/uws.js';
import type { AppData, TestOptions } from './support/app.js';
import { CookieJar } from './support/jar.js';
import { adapterCases, type Running } from './support/servers.js';
import { makeStore } from '../support/store.js';

describe.each(adapterCases)('%s', (_title, { server: adapter, store: storeKind }) => {
  let server: Running | undefined;
  afterEach(async () => {
    vi.restoreAllMocks();
    await server?.close();
    server = undefined;
  });

  async function start(options: TestOptions = {}, managerOptions: ConstructorParameters<typeof SessionManager<AppData>>[0] = {}) {
    const store = makeStore(storeKind);
    const manager = new SessionManager<AppData>({ store, ...managerOptions });
    server = await adapter.serve(manager, options);
    return { store, manager, url: server.url };
  }

  it('sends Vary: Cookie on every response, Cache-Control only with Set-Cookie', async () => {
    const { url } = await start();
    const jar = new CookieJar();
    const fresh = await jar.fetch(`${url}/get`);
    expect(fresh.headers.get('vary')).toBe('Cookie');
    expect(fresh.headers.getSetCookie()).toEqual([]);
    expect(fresh.headers.get('cache-control')).toBeNull();
    const put = await jar.fetch(`${url}/put`);
    expect(put.headers.get('vary')).toBe('Cookie');
    expect(put.headers.getSetCookie()).toHaveLength(1);
    const cookie = put.headers.getSetCookie()[0]!;
    expect(cookie).toMatch(/^session=[A-Za-z0-9_-]{43}; /);
    for (const attribute of ['Path=/', 'HttpOnly', 'SameSite=Lax', 'Max-Age=86400']) expect(cookie.split('; ')).toContain(attribute);
    expect(put.headers.get('cache-control')).toBe('no-cache="Set-Cookie"');
    const get = await jar.fetch(`${url}/get`);
    expect(get.headers.get('vary')).toBe('Cookie');
    expect(get.headers.getSetCookie()).toEqual([]);
    expect(await get.text()).toBe('Hello from a session!');
    expect(get.headers.get('content-type')).toMatch(/^text\/plain/);
  });

  it("a path with no route gets the framework's 404, with Vary", async () => {
    const { url, store } = await start();
    const response = await fetch(`${url}/missing`);
    expect(response.status).toBe(404);
    expect(response.headers.get('vary')).toBe('Cookie');
    expect(response.headers.getSetCookie()).toEqual([]);
    expect(store.writes()).toBe(0);
  });

  it('an unmodified session causes no Set-Cookie and no store write', async () => {
    const { url, store } = await start();
    const jar = new CookieJar();
    await jar.fetch(`${url}/get`);
    expect(store.writes()).toBe(0);
    expect(store.calls.find).toBe(0); // no cookie: nothing to look up
    await jar.fetch(`${url}/put`);
    expect(store.calls.commit).toBe(1);
    store.reset();
    for (let i = 0; i < 3; i++) {
      const response = await jar.fetch(`${url}/get`);
      expect(response.headers.getSetCookie()).toEqual([]);
    }
    expect(store.calls.find).toBe(3);
    expect(store.writes()).toBe(0);
  });

  it('a value put in one request is read in the next, with one commit', async () => {
    const { url, store } = await start();
    const jar = new CookieJar();
    await jar.fetch(`${url}/put?v=kept`);
    expect(await (await jar.fetch(`${url}/get`)).text()).toBe('kept');
    expect(store.calls.commit).toBe(1);
  });

  it('tokenHeader: token in a request header, new token in the response header, no cookie', async () => {
    const { url } = await start({ tokenHeader: 'X-Session-Token' });
    const put = await fetch(`${url}/put?v=api`);
    expect(put.headers.getSetCookie()).toEqual([]);
    const token = put.headers.get('x-session-token');
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(put.headers.get('vary')).toBe('X-Session-Token');
    expect(put.headers.get('cache-control')).toBe('no-cache="X-Session-Token"');
    const get = await fetch(`${url}/get`, { headers: { 'x-session-token': token! } });
    expect(await get.text()).toBe('api');
    expect(get.headers.get('x-session-token')).toBeNull();
    // the cookie is ignored in header mode
    const viaCookie = await fetch(`${url}/get`, { headers: { cookie: `session=${token}` } });
    expect(await viaCookie.text()).toBe('');
    const renewed = await fetch(`${url}/renew`, { headers: { 'x-session-token': token! } });
    const next = renewed.headers.get('x-session-token');
    expect(next).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(next).not.toBe(token);
    const destroyed = await fetch(`${url}/destroy`, { headers: { 'x-session-token': next! } });
    expect(destroyed.headers.get('x-session-token')).toBe('');
  });

  it('malformed cookies give a fresh session, never a 500', async () => {
    const { url, store } = await start();
    const jar = new CookieJar();
    await jar.fetch(`${url}/put`);
    const valid = jar.cookies.get('session')!;
    const headers = [
      'session=garbage',
      'session=%%%;;;==;',
      `session=${valid.slice(1)}`,
      `session=${valid}x`,
      `session="${'A'.repeat(42)}\u00e9"`,
      `a=${'x'.repeat(10 * 1024)}; session=${'A'.repeat(43)}`,
      `session=garbage; session=${valid}`,
      '=; ; session',
    ];
    for (const cookie of headers) {
      const response = await fetch(`${url}/get`, { headers: { cookie } });
      expect(response.status, cookie.slice(0, 40)).toBe(200);
      expect(await response.text()).toBe('');
    }
    // a well-formed cookie among others still works
    const ok = await fetch(`${url}/get`, { headers: { cookie: `a=1; session=${valid}; b=2` } });
    expect(await ok.text()).toBe('Hello from a session!');
    expect(store.writes()).toBe(1);
  });

  it('a failing store answers 500 through onError, and the next request is fine once it recovers', async () => {
    const onError = vi.fn(() => ({ status: 500, body: 'custom failure' }));
    const { url, store } = await start({ onError });
    const jar = new CookieJar();
    await jar.fetch(`${url}/put`);
    const failure = new Error('disk on fire');
    store.failWith = failure;
    const get = await jar.fetch(`${url}/get`); // find fails
    expect(get.status).toBe(500);
    expect(await get.text()).toBe('custom failure');
    expect(get.headers.getSetCookie()).toEqual([]);
    expect(get.headers.get('vary')).toBe('Cookie');
    const put = await fetch(`${url}/put`); // commit fails (new session: no find)
    expect(put.status).toBe(500);
    expect(put.headers.getSetCookie()).toEqual([]);
    expect(put.headers.get('vary')).toBe('Cookie');
    expect(onError).toHaveBeenCalledTimes(2);
    expect((onError.mock.calls[0] as unknown[])[0]).toBe(failure);
    store.failWith = undefined;
    const recovered = await jar.fetch(`${url}/get`);
    expect(recovered.status).toBe(200);
    expect(await recovered.text()).toBe('Hello from a session!');
  });

  it('the default onError logs without the token and answers 500', async () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    const { url, store } = await start();
    const jar = new CookieJar();
    await jar.fetch(`${url}/put`);
    const token = jar.cookies.get('session')!;
    store.failWith = new Error(`GET scs:session:${token} failed`);
    const response = await jar.fetch(`${url}/get`);
    expect(response.status).toBe(500);
    expect(await response.text()).toBe('Internal Server Error');
    expect(response.headers.get('vary')).toBe('Cookie');
    expect(log).toHaveBeenCalledTimes(1);
    const logged = String(log.mock.calls[0]![0]);
    expect(logged).toContain('failed');
    expect(logged).toContain('[token]');
    expect(logged).not.toContain(token);
  });
});

describe('adapter options', () => {
  const manager = new SessionManager();
  it.each([
    ['manager', undefined, {}],
    ['manager', {}, {}],
    ['onError', manager, { onError: 'log' }],
    ['tokenHeader', manager, { tokenHeader: 'bad header' }],
    ['tokenHeader', manager, { tokenHeader: 'Cookie' }],
    ['tokenHeader', manager, { tokenHeader: 42 }],
    ['options', manager, 'nope'],
  ])('rejects a bad %s with a TypeError naming it', (name, given, options) => {
    // The Fastify plugin checks the same options when registered: fastify.test.ts.
    for (const make of [uwsSessions, nodeSessions, honoSessions]) {
      expect(() => make(given as never, options as never)).toThrow(TypeError);
      expect(() => make(given as never, options as never)).toThrow(`option ${name}`);
    }
  });
});
