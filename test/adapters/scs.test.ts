// SCS session_test.go behaviours end to end over real sockets, on every adapter.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SessionManager } from '../../src/index.js';
import type { AppData } from './support/app.js';
import { CookieJar } from './support/jar.js';
import { adapterCases, type Running } from './support/servers.js';
import { makeStore } from '../support/store.js';

describe.each(adapterCases)('SCS behaviours over %s', (_title, { server: adapter, store: storeKind }) => {
  let server: Running | undefined;
  afterEach(async () => {
    vi.useRealTimers();
    await server?.close();
    server = undefined;
  });

  async function start(options: ConstructorParameters<typeof SessionManager<AppData>>[0] = {}) {
    const store = makeStore(storeKind);
    const manager = new SessionManager<AppData>({ store, ...options });
    server = await adapter.serve(manager);
    return { store, manager, url: server.url };
  }

  const text = (response: Response) => response.text();

  it('keeps data for the lifetime and drops it after', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const { url } = await start({ lifetime: 60_000 });
    const jar = new CookieJar();
    await jar.fetch(`${url}/put`);
    vi.setSystemTime(Date.now() + 59_000);
    expect(await text(await jar.fetch(`${url}/get`))).toBe('Hello from a session!');
    vi.setSystemTime(Date.now() + 2_000);
    expect(await text(await jar.fetch(`${url}/get`))).toBe('');
  });

  it('slides the expiry under an idle timeout, capped by the lifetime', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const { url } = await start({ lifetime: 10_000, idleTimeout: 2_000 });
    const jar = new CookieJar();
    await jar.fetch(`${url}/put`);
    for (let i = 0; i < 3; i++) {
      vi.setSystemTime(Date.now() + 1_500);
      const response = await jar.fetch(`${url}/get`);
      expect(await text(response)).toBe('Hello from a session!');
      // an unmodified session still gets its cookie's expiry moved under an idle timeout
      expect(response.headers.getSetCookie()[0]).toMatch(/Max-Age=2$/);
    }
    vi.setSystemTime(Date.now() + 2_100);
    expect(await text(await jar.fetch(`${url}/get`))).toBe('');
  });

  it('destroy clears the cookie and the stored data', async () => {
    const { url, store } = await start();
    const jar = new CookieJar();
    await jar.fetch(`${url}/put`);
    const oldCookie = jar.header();
    const response = await jar.fetch(`${url}/destroy`);
    const setCookie = response.headers.getSetCookie();
    expect(setCookie).toHaveLength(1);
    expect(setCookie[0]).toMatch(/^session=; /);
    expect(setCookie[0]).toContain('Max-Age=0');
    expect(setCookie[0]).toContain('Expires=Thu, 01 Jan 1970');
    expect(response.headers.get('cache-control')).toBe('no-cache="Set-Cookie"');
    expect(jar.cookies.size).toBe(0);
    expect(store.inner.size).toBe(0);
    const replay = await fetch(`${url}/get`, { headers: { cookie: oldCookie } });
    expect(await replay.text()).toBe('');
  });

  it('renewToken gives a new token and the old one stops working', async () => {
    const { url } = await start();
    const jar = new CookieJar();
    await jar.fetch(`${url}/put`);
    const before = jar.cookies.get('session');
    await jar.fetch(`${url}/renew`);
    const after = jar.cookies.get('session');
    expect(after).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(after).not.toBe(before);
    expect(await text(await jar.fetch(`${url}/get`))).toBe('Hello from a session!');
    const old = await fetch(`${url}/get`, { headers: { cookie: `session=${before}` } });
    expect(await old.text()).toBe('');
  });

  it('with persist: false the cookie has Expires and Max-Age only once remembered', async () => {
    const { url } = await start({ cookie: { persist: false } });
    const jar = new CookieJar();
    const put = await jar.fetch(`${url}/put`);
    expect(put.headers.getSetCookie()[0]).not.toMatch(/Expires|Max-Age/);
    const remembered = await jar.fetch(`${url}/remember`);
    expect(remembered.headers.getSetCookie()[0]).toMatch(/Expires=.*; Max-Age=86400/);
    const again = await jar.fetch(`${url}/put?v=again`);
    expect(again.headers.getSetCookie()[0]).toMatch(/Max-Age=/);
  });

  it('iterate sees every live session, and its destroy logs that client out', async () => {
    const { url, manager } = await start();
    const jars = [new CookieJar(), new CookieJar(), new CookieJar()];
    await Promise.all(jars.map((jar, i) => jar.fetch(`${url}/put?v=m${i}`)));
    const seen: string[] = [];
    await manager.iterate(async (session) => {
      const message = session.getString('message');
      seen.push(message);
      if (message === 'm1') await session.destroy();
    });
    expect(seen.sort()).toEqual(['m0', 'm1', 'm2']);
    expect(await text(await jars[0]!.fetch(`${url}/get`))).toBe('m0');
    expect(await text(await jars[1]!.fetch(`${url}/get`))).toBe('');
    expect(await text(await jars[2]!.fetch(`${url}/get`))).toBe('m2');
  });
});
