// Failures and header merging on every adapter and store: a failing handler or a 5xx commits nothing, onError always ends with an answer, Vary is kept.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SessionManager } from '../../src/index.js';
import type { AppData, TestOptions } from './support/app.js';
import { CookieJar } from './support/jar.js';
import { adapterCases, type Running } from './support/servers.js';
import { makeStore } from '../support/store.js';
import { sleep } from '../support/time.js';

describe.each(adapterCases)('%s: failures', (_title, { server: adapter, store: storeKind }) => {
  let server: Running | undefined;
  afterEach(async () => {
    vi.restoreAllMocks();
    await server?.close();
    server = undefined;
  });

  async function start(options: TestOptions = {}) {
    const store = makeStore(storeKind);
    const manager = new SessionManager<AppData>({ store });
    server = await adapter.serve(manager, options);
    const jar = new CookieJar();
    // A hung request fails the test rather than stalling it.
    const get = (path: string) => jar.fetch(`${server!.url}${path}`, { signal: AbortSignal.timeout(5_000) });
    return { store, jar, get };
  }

  it('a handler that throws or rejects after a change commits nothing: 500, no Set-Cookie, Vary kept', async () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    const { store, jar, get } = await start();
    await get('/put?v=before');
    const cookie = jar.header();
    store.reset();
    for (const path of ['/throw', '/reject']) {
      const response = await get(path);
      expect(response.status, path).toBe(500);
      expect(response.headers.getSetCookie(), path).toEqual([]);
      expect(response.headers.get('vary'), path).toBe('Cookie');
      if (adapter.handlerErrors === 'onError') expect(await response.text()).toBe('Internal Server Error');
      expect(jar.header()).toBe(cookie);
    }
    expect(store.writes()).toBe(0);
    expect(await (await get('/get')).text()).toBe('before');
    // A new session (no cookie) that fails is neither stored nor sent.
    const fresh = await fetch(`${server!.url}/throw`, { signal: AbortSignal.timeout(5_000) });
    expect(fresh.status).toBe(500);
    expect(fresh.headers.getSetCookie()).toEqual([]);
    expect(store.calls.commitIf).toBe(0);
    if (adapter.handlerErrors === 'onError') expect(log).toHaveBeenCalledTimes(3);
  });

  it('a response with a 5xx status commits nothing and carries Vary', async () => {
    const { store, get } = await start();
    await get('/put?v=before');
    store.reset();
    const response = await get('/unavailable');
    expect(response.status).toBe(503);
    expect(await response.text()).toBe('unavailable');
    expect(response.headers.getSetCookie()).toEqual([]);
    expect(response.headers.get('vary')).toBe('Cookie');
    expect(store.writes()).toBe(0);
    expect(await (await get('/get')).text()).toBe('before');
  });

  it("keeps the handler's own Vary, Set-Cookie and Cache-Control beside the session's", async () => {
    const { get, jar } = await start();
    const response = await get('/own-headers');
    expect(response.status).toBe(200);
    expect(response.headers.get('vary')!.split(', ').sort()).toEqual(['Accept-Encoding', 'Cookie']);
    const cookies = response.headers.getSetCookie();
    expect(cookies).toHaveLength(2);
    expect(cookies).toContain('theme=dark');
    expect(cookies.find((line) => line.startsWith('session='))).toMatch(/^session=[A-Za-z0-9_-]{43};/);
    expect(response.headers.get('cache-control')!.split(', ').sort()).toEqual(['no-cache="Set-Cookie"', 'private']);
    expect(jar.cookies.get('theme')).toBe('dark');
    expect(await (await get('/get')).text()).toBe('with own headers');
  });

  it('never repeats a Vary or Cache-Control member the handler already listed', async () => {
    const { get } = await start();
    const response = await get('/own-vary');
    expect(response.status).toBe(200);
    expect(response.headers.get('vary')).toBe('Accept-Encoding, cookie');
    expect(response.headers.get('cache-control')).toBe('no-cache="Set-Cookie"');
    expect(response.headers.getSetCookie()).toHaveLength(1);
  });

  it('an onError that answers nothing gets a 500 with Vary, sync or async, also when it throws', async () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    const behaviours = {
      silent: () => undefined,
      later: async () => {
        await sleep(5);
        return undefined;
      },
      throws: () => {
        throw new Error('onError broke');
      },
    };
    for (const [name, onError] of Object.entries(behaviours)) {
      const { store, get } = await start({ onError });
      await get('/put');
      store.failWith = new Error('store down');
      const response = await get('/get');
      expect(response.status, name).toBe(500);
      expect(await response.text(), name).toBe('Internal Server Error');
      expect(response.headers.get('vary'), name).toBe('Cookie');
      expect(response.headers.getSetCookie(), name).toEqual([]);
      await server!.close();
      server = undefined;
    }
    expect(log).toHaveBeenCalledOnce(); // only the onError that threw is logged
    expect(String(log.mock.calls[0]![0])).toContain('onError failed: onError broke');
  });

  it('an onError that answers later is the answer', async () => {
    const onError = vi.fn(async () => {
      await sleep(10);
      return { status: 503, body: 'try again' };
    });
    const { store, get } = await start({ onError });
    await get('/put');
    store.failWith = new Error('store down');
    const response = await get('/get');
    expect(response.status).toBe(503);
    expect(await response.text()).toBe('try again');
    expect(response.headers.get('vary')).toBe('Cookie');
    if (adapter.handlerErrors === 'onError') {
      store.failWith = undefined;
      const thrown = await get('/throw');
      expect(thrown.status).toBe(503);
      expect(thrown.headers.getSetCookie()).toEqual([]);
      expect(onError).toHaveBeenCalledTimes(2);
    }
  });
});
