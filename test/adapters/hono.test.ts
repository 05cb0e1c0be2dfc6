// sessionkit/hono on @hono/node-server over a real socket, what the shared adapter suite does not cover: streams, fetched responses, a 4xx HTTPException, options.
import { HTTPException } from 'hono/http-exception';
import { stream } from 'hono/streaming';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SessionManager } from '../../src/index.js';
import { honoSessions, type SessionEnv } from '../../src/adapters/hono.js';
import { sleep } from '../support/time.js';
import { startHono } from './support/hono-server.js';
import { CookieJar } from './support/jar.js';
import type { Running } from './support/servers.js';
import { storeWithDelay } from '../support/store.js';

interface Data {
  n: number;
  way: string;
}

describe('hono adapter', () => {
  let server: Running | undefined;
  afterEach(async () => {
    vi.restoreAllMocks();
    await server?.close();
    server = undefined;
  });

  function setup(delay?: number) {
    const store = storeWithDelay(delay);
    return { store, manager: new SessionManager<Data>({ store }) };
  }

  it.each([undefined, 0, 5])('saves before text, json and streamed responses (slow store delay %s ms)', async (delay) => {
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
    expect(store.calls.commit).toBe(3);
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

  it("an HTTPException with a 4xx status commits nothing either; Hono's onError answers", async () => {
    const { store, manager } = setup();
    server = await startHono<SessionEnv<Data>>((app) => {
      app.use(honoSessions(manager));
      app.get('/put', (c) => {
        c.get('session').put('n', 1);
        return c.text('ok');
      });
      app.get('/forbidden', async (c) => {
        c.get('session').put('n', 3);
        await sleep(1);
        throw new HTTPException(403, { message: 'no' });
      });
      app.get('/n', (c) => c.text(String(c.get('session').get('n'))));
    });
    const jar = new CookieJar();
    await jar.fetch(`${server.url}/put`);
    store.reset();
    const response = await jar.fetch(`${server.url}/forbidden`);
    expect(response.status).toBe(403);
    expect(await response.text()).toBe('no');
    expect(response.headers.getSetCookie()).toEqual([]);
    expect(response.headers.get('vary')).toBe('Cookie');
    expect(response.headers.get('cache-control')).toBeNull();
    expect(store.writes()).toBe(0);
    expect(await (await jar.fetch(`${server.url}/n`)).text()).toBe('1');
  });

  it('a store failure drops a streamed response (its stream is cancelled) and answers through onError', async () => {
    const { store, manager } = setup();
    let cancelled = false;
    server = await startHono<SessionEnv<Data>>((app) => {
      app.use(honoSessions(manager, { onError: (_error, c) => c.text('store down', 503) }));
      app.get('/stream', (c) => {
        c.get('session').put('way', 'stream');
        store.failWith = new Error('disk full');
        const body = new ReadableStream({ pull: (controller) => controller.enqueue(new TextEncoder().encode('never')), cancel: () => void (cancelled = true) });
        return new Response(body, { headers: { 'content-type': 'text/plain', 'set-cookie': 'theme=dark' } });
      });
    });
    const response = await fetch(`${server.url}/stream`);
    expect(response.status).toBe(503);
    expect(await response.text()).toBe('store down');
    expect(response.headers.getSetCookie()).toEqual([]);
    expect(response.headers.get('vary')).toBe('Cookie');
    expect(cancelled).toBe(true);
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
