// sessionkit/hono on @hono/node-server over a real socket: the shared scenarios, then streams, handler errors, 5xx, Vary.
import { HTTPException } from 'hono/http-exception';
import { stream } from 'hono/streaming';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SessionManager } from '../../src/index.js';
import { honoSessions, type HonoSessionOptions, type SessionEnv } from '../../src/adapters/hono.js';
import { sessionScenarios } from './support/framework-scenarios.js';
import { serveHono, startHono } from './support/hono-server.js';
import { CookieJar } from './support/jar.js';
import type { Running } from './support/servers.js';
import { sleep } from '../support/time.js';
import { TestStore } from '../support/store.js';

type OnError = NonNullable<HonoSessionOptions['onError']>;
interface Data {
  n: number;
  way: string;
}

describe('hono adapter: shared scenarios', () => {
  const custom: OnError = (_error, c) => c.text('custom failure', 503);
  const customLater: OnError = async () => {
    await sleep(5);
    return new Response('custom failure', { status: 503 });
  };
  sessionScenarios({
    serve: (manager, options) => serveHono(manager, options as HonoSessionOptions),
    customOnError: [custom, customLater],
    silentOnError: () => undefined,
  });
});

describe('hono adapter', () => {
  let server: Running | undefined;
  afterEach(async () => {
    vi.restoreAllMocks();
    await server?.close();
    server = undefined;
  });

  function setup(delay = 0) {
    const store = Object.assign(new TestStore(), { delay });
    return { store, manager: new SessionManager<Data>({ store }) };
  }

  it.each([0, 5])('saves before text, json and streamed responses (store delay %i ms)', async (delay) => {
    const { store, manager } = setup(delay);
    server = await startHono<SessionEnv<Data>>((app) => {
      app.use(honoSessions(manager));
      app.get('/json', (c) => {
        c.get('session').put('way', 'json');
        return c.json({ ok: true });
      });
      app.get('/async', async (c) => {
        await sleep(2);
        c.get('session').put('way', 'async');
        return c.text('async');
      });
      app.get('/stream', (c) => {
        c.get('session').put('way', 'stream');
        return stream(c, async (out) => {
          await out.write('a');
          await sleep(2);
          await out.write('b');
        });
      });
      app.get('/way', (c) => c.text(c.get('session').getString('way')));
    });
    const jar = new CookieJar();
    const json = await jar.fetch(`${server.url}/json`);
    expect(await json.json()).toEqual({ ok: true });
    expect(json.headers.getSetCookie()).toHaveLength(1);
    expect(await (await jar.fetch(`${server.url}/way`)).text()).toBe('json');
    expect(await (await jar.fetch(`${server.url}/async`)).text()).toBe('async');
    const streamed = await jar.fetch(`${server.url}/stream`);
    expect(streamed.headers.get('vary')).toBe('Cookie');
    expect(await streamed.text()).toBe('ab');
    expect(await (await jar.fetch(`${server.url}/way`)).text()).toBe('stream');
    expect(store.calls.commitIf).toBe(3);
  });

  it('keeps the Vary and Cache-Control the handler set, its own Set-Cookie, and works on a fetched (immutable) response', async () => {
    const { manager } = setup();
    let upstream = '';
    server = await startHono<SessionEnv<Data>>((app) => {
      app.use(honoSessions(manager));
      app.get('/', (c) => {
        c.get('session').put('n', 1);
        c.header('Vary', 'Accept-Encoding');
        c.header('Cache-Control', 'private');
        c.header('Set-Cookie', 'theme=dark');
        return c.text('ok');
      });
      app.get('/plain', (c) => c.text('plain'));
      app.get('/proxy', (c) => {
        c.get('session').put('n', 2);
        return fetch(`${upstream}/plain`);
      });
    });
    upstream = server.url;
    const response = await fetch(server.url);
    expect(response.headers.get('vary')).toBe('Accept-Encoding, Cookie');
    expect(response.headers.get('cache-control')).toBe('private, no-cache="Set-Cookie"');
    const cookies = response.headers.getSetCookie();
    expect(cookies[0]).toBe('theme=dark');
    expect(cookies[1]).toMatch(/^session=/);
    const proxied = await fetch(`${server.url}/proxy`);
    expect(await proxied.text()).toBe('plain');
    expect(proxied.headers.getSetCookie()).toHaveLength(1);
    expect(proxied.headers.get('vary')).toBe('Cookie');
  });

  it('a handler that throws or answers 5xx commits nothing; Hono\'s onError answers', async () => {
    const { store, manager } = setup();
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    server = await startHono<SessionEnv<Data>>((app) => {
      app.use(honoSessions(manager));
      app.get('/put', (c) => {
        c.get('session').put('n', 1);
        return c.text('ok');
      });
      app.get('/throw', (c) => {
        c.get('session').put('n', 2);
        throw new Error('boom');
      });
      app.get('/forbidden', async (c) => {
        c.get('session').put('n', 3);
        await sleep(1);
        throw new HTTPException(403, { message: 'no' });
      });
      app.get('/503', (c) => {
        c.get('session').put('n', 4);
        return c.text('busy', 503);
      });
      app.get('/n', (c) => c.text(String(c.get('session').get('n'))));
    });
    const jar = new CookieJar();
    await jar.fetch(`${server.url}/put`);
    store.reset();
    for (const [path, status] of [['/throw', 500], ['/forbidden', 403], ['/503', 503]] as const) {
      const response = await jar.fetch(`${server.url}${path}`);
      expect(response.status, path).toBe(status);
      expect(response.headers.getSetCookie(), path).toEqual([]);
      expect(response.headers.get('vary'), path).toBe('Cookie');
      expect(response.headers.get('cache-control'), path).toBeNull();
    }
    expect(store.writes()).toBe(0);
    expect(await (await jar.fetch(`${server.url}/n`)).text()).toBe('1');
    expect((await fetch(`${server.url}/throw`)).headers.getSetCookie()).toEqual([]);
    expect(store.writes()).toBe(0);
    expect(log).toHaveBeenCalled(); // Hono's default onError logs the handler's error
  });

  it('an onError that throws still answers 500 with Vary', async () => {
    const { store, manager } = setup();
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    server = await startHono<SessionEnv<Data>>((app) => {
      app.use(honoSessions(manager, { onError: () => { throw new Error('handler broke'); } }));
      app.get('/put', (c) => {
        c.get('session').put('n', 1);
        return c.text('ok');
      });
    });
    store.failWith = new Error('down');
    const response = await fetch(`${server.url}/put`);
    expect(response.status).toBe(500);
    expect(response.headers.get('vary')).toBe('Cookie');
    expect(response.headers.getSetCookie()).toEqual([]);
    expect(log).toHaveBeenCalledOnce();
  });

  it('loads the session for 404s and answers them with Vary', async () => {
    const { manager } = setup();
    server = await startHono<SessionEnv<Data>>((app) => {
      app.use(honoSessions(manager));
    });
    const response = await fetch(`${server.url}/missing`);
    expect(response.status).toBe(404);
    expect(response.headers.get('vary')).toBe('Cookie');
  });

  it.each([
    ['manager', undefined, {}],
    ['onError', new SessionManager(), { onError: 'log' }],
    ['tokenHeader', new SessionManager(), { tokenHeader: 'Set-Cookie' }],
    ['options', new SessionManager(), 'nope'],
  ])('rejects a bad %s with a TypeError naming it', (name, manager, options) => {
    expect(() => honoSessions(manager as never, options as never)).toThrow(TypeError);
    expect(() => honoSessions(manager as never, options as never)).toThrow(`option ${name}`);
  });
});
