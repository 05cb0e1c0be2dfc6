// End-to-end scenarios over the shared `routes`, for an adapter given as a serve function (Fastify, Hono).
import { afterEach, expect, it, vi } from 'vitest';
import { MemoryStore, SessionManager, type SessionOptions } from '../../../src/index.js';
import type { AppData } from './app.js';
import { CookieJar } from './jar.js';
import type { Running } from './servers.js';
import { sleep } from '../../support/time.js';
import { TestStore } from '../../support/store.js';

export interface ScenarioOptions {
  tokenHeader?: string;
  onError?: unknown;
}

export interface ScenarioAdapter {
  serve(manager: SessionManager<AppData>, options?: ScenarioOptions): Promise<Running>;
  /** onError options that answer 503 'custom failure', at once and after a delay. */
  customOnError: unknown[];
  /** An onError that sends nothing (the adapter must answer 500). */
  silentOnError: unknown;
}

/** Registers the seed, renew, destroy, idle timeout, remember-me, tokenHeader and store failure scenarios. */
export function sessionScenarios(adapter: ScenarioAdapter): void {
  let server: Running | undefined;
  afterEach(async () => {
    vi.restoreAllMocks();
    await server?.close();
    server = undefined;
  });

  async function start(options: ScenarioOptions = {}, managerOptions: SessionOptions = {}) {
    const store = new TestStore();
    const manager = new SessionManager<AppData>({ store, ...managerOptions });
    server = await adapter.serve(manager, options);
    return { store, manager, url: server.url };
  }

  it('the seed: /put sets the cookie, /get reads the message back with it', async () => {
    const { url, store } = await start();
    const jar = new CookieJar();
    const fresh = await jar.fetch(`${url}/get`);
    expect(fresh.status).toBe(200);
    expect(await fresh.text()).toBe('');
    expect(fresh.headers.get('vary')).toBe('Cookie');
    expect(fresh.headers.getSetCookie()).toEqual([]);
    expect(fresh.headers.get('cache-control')).toBeNull();
    const put = await jar.fetch(`${url}/put`);
    expect(put.status).toBe(200);
    expect(put.headers.get('vary')).toBe('Cookie');
    expect(put.headers.getSetCookie()).toHaveLength(1);
    const cookie = put.headers.getSetCookie()[0]!;
    expect(cookie).toMatch(/^session=[A-Za-z0-9_-]{43}; /);
    for (const attribute of ['Path=/', 'HttpOnly', 'SameSite=Lax', 'Max-Age=86400']) expect(cookie.split('; ')).toContain(attribute);
    expect(put.headers.get('cache-control')).toBe('no-cache="Set-Cookie"');
    const get = await jar.fetch(`${url}/get`);
    expect(await get.text()).toBe('Hello from a session!');
    expect(get.headers.getSetCookie()).toEqual([]);
    expect(store.calls.commitIf).toBe(1);
  });

  it('works with a plain MemoryStore and with a slow promise-returning store', async () => {
    for (const store of [new MemoryStore({ sweepInterval: 0 }), Object.assign(new TestStore(), { delay: 15 })]) {
      server = await adapter.serve(new SessionManager<AppData>({ store }));
      const jar = new CookieJar();
      await jar.fetch(`${server.url}/put?v=stored`);
      expect(await (await jar.fetch(`${server.url}/get`)).text()).toBe('stored');
      await server.close();
      server = undefined;
    }
  });

  it('renew: a new token, the data kept, the old token gone', async () => {
    const { url } = await start();
    const jar = new CookieJar();
    await jar.fetch(`${url}/put?v=kept`);
    const before = jar.cookies.get('session')!;
    const renewed = await jar.fetch(`${url}/renew`);
    expect(renewed.headers.getSetCookie()).toHaveLength(1);
    const after = jar.cookies.get('session')!;
    expect(after).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(after).not.toBe(before);
    expect(await (await jar.fetch(`${url}/get`)).text()).toBe('kept');
    expect(await (await fetch(`${url}/get`, { headers: { cookie: `session=${before}` } })).text()).toBe('');
  });

  it('destroy: the store entry is deleted and the cookie cleared', async () => {
    const { url, store } = await start();
    const jar = new CookieJar();
    await jar.fetch(`${url}/put`);
    const token = jar.cookies.get('session')!;
    const destroyed = await jar.fetch(`${url}/destroy`);
    const [cleared] = destroyed.headers.getSetCookie();
    expect(cleared).toMatch(/^session=; /);
    expect(cleared).toContain('Max-Age=0');
    expect(cleared).toContain('Expires=Thu, 01 Jan 1970');
    expect(destroyed.headers.get('cache-control')).toBe('no-cache="Set-Cookie"');
    expect(store.inner.size).toBe(0);
    expect(await (await fetch(`${url}/get`, { headers: { cookie: `session=${token}` } })).text()).toBe('');
  });

  it('idle timeout: each request slides the expiry and re-sends the cookie', async () => {
    const { url, store } = await start({}, { idleTimeout: 400 });
    const jar = new CookieJar();
    const put = await jar.fetch(`${url}/put?v=idle`);
    expect(put.headers.getSetCookie()[0]).toContain('Max-Age=1'); // 400 ms, rounded up to a second
    for (let i = 0; i < 3; i++) {
      await sleep(250);
      const get = await jar.fetch(`${url}/get`);
      expect(await get.text()).toBe('idle'); // 750 ms after /put by the end: alive only because it slid
      expect(get.headers.getSetCookie()).toHaveLength(1);
      expect(get.headers.get('cache-control')).toBe('no-cache="Set-Cookie"');
    }
    expect(store.calls.touch + store.calls.commitIf).toBe(4);
    await sleep(500);
    expect(await (await jar.fetch(`${url}/get`)).text()).toBe('');
  });

  it('remember-me: a browser-session cookie becomes persistent', async () => {
    const { url } = await start({}, { cookie: { persist: false } });
    const jar = new CookieJar();
    const put = await jar.fetch(`${url}/put`);
    expect(put.headers.getSetCookie()[0]).not.toMatch(/Expires|Max-Age/);
    const remembered = await jar.fetch(`${url}/remember`);
    expect(remembered.headers.getSetCookie()[0]).toMatch(/Expires=.*; Max-Age=86400/);
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
    expect(await (await fetch(`${url}/get`, { headers: { cookie: `session=${token}` } })).text()).toBe('');
    const renewed = await fetch(`${url}/renew`, { headers: { 'x-session-token': token! } });
    const next = renewed.headers.get('x-session-token');
    expect(next).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(next).not.toBe(token);
    const destroyed = await fetch(`${url}/destroy`, { headers: { 'x-session-token': next! } });
    expect(destroyed.headers.get('x-session-token')).toBe('');
  });

  it('a store failure is onError\'s answer with Vary, never a 200 with lost data', async () => {
    for (const onError of adapter.customOnError) {
      const { url, store } = await start({ onError });
      const jar = new CookieJar();
      await jar.fetch(`${url}/put?v=one`);
      for (const delay of [0, 5]) {
        store.delay = delay;
        store.failWith = new Error('disk on fire');
        const get = await jar.fetch(`${url}/get`); // find fails
        expect(get.status).toBe(503);
        expect(await get.text()).toBe('custom failure');
        expect(get.headers.get('vary')).toBe('Cookie');
        expect(get.headers.getSetCookie()).toEqual([]);
        store.failWith = undefined;
        const failing = store.commitIf.bind(store);
        store.commitIf = (...args) => {
          store.failWith = new Error('disk full');
          try {
            return failing(...args);
          } finally {
            store.failWith = undefined;
          }
        };
        const put = await jar.fetch(`${url}/put?v=two`); // find works, commit fails
        store.commitIf = failing;
        expect(put.status).toBe(503);
        expect(await put.text()).toBe('custom failure');
        expect(put.headers.get('vary')).toBe('Cookie');
        expect(put.headers.getSetCookie()).toEqual([]);
        expect(put.headers.get('cache-control')).toBeNull();
      }
      store.delay = 0;
      expect(await (await jar.fetch(`${url}/get`)).text()).toBe('one');
      await server?.close();
      server = undefined;
    }
  });

  it('an onError that sends nothing still gets the request a 500 with Vary', async () => {
    const { url, store } = await start({ onError: adapter.silentOnError });
    const jar = new CookieJar();
    await jar.fetch(`${url}/put`);
    store.failWith = new Error('down');
    const response = await jar.fetch(`${url}/get`);
    expect(response.status).toBe(500);
    expect(response.headers.get('vary')).toBe('Cookie');
  });

  it('the default onError logs without the token and answers 500 with Vary', async () => {
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
    expect(logged).toContain('[token]');
    expect(logged).not.toContain(token);
    store.failWith = undefined;
    const put = await jar.fetch(`${url}/put?v=after`);
    expect(put.status).toBe(200);
  });
}
