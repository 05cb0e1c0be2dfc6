// sessionkit/fastify over a real socket, what the shared adapter suite does not cover: reply.send, streams, hijack, a 4xx handler error, options.
import { Readable } from 'node:stream';
import Fastify from 'fastify';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SessionManager } from '../../src/index.js';
import { fastifySessions } from '../../src/adapters/fastify.js';
import { sleep } from '../support/time.js';
import { startFastify } from './support/fastify-server.js';
import { CookieJar } from './support/jar.js';
import type { Running } from './support/servers.js';
import { storeWithDelay } from '../support/store.js';

describe('fastify adapter', () => {
  let server: Running | undefined;
  afterEach(async () => {
    vi.restoreAllMocks();
    await server?.close();
    server = undefined;
  });

  function setup(delay?: number) {
    const store = storeWithDelay(delay);
    const manager = new SessionManager({ store });
    return { store, manager };
  }

  it.each([undefined, 0, 5])('saves before reply.send, async return values and streams (slow store delay %s ms)', async (delay) => {
    const { store, manager } = setup(delay);
    server = await startFastify(async (app) => {
      await app.register(fastifySessions, { manager });
      app.get('/send', (request, reply) => {
        request.session.put('way', 'send');
        reply.send({ ok: true });
      });
      app.get('/async', async (request) => {
        await sleep(2);
        request.session.put('way', 'async');
        return 'async';
      });
      app.get('/stream', (request, reply) => {
        request.session.put('way', 'stream');
        reply.type('text/plain').send(Readable.from(['a', 'b', 'c']));
      });
      app.get('/web-stream', (request, reply) => {
        request.session.put('way', 'web');
        reply.type('text/plain').send(new Blob(['web']).stream());
      });
      app.get('/way', (request) => request.session.getString('way'));
    });
    const jar = new CookieJar();
    const sent = await jar.fetch(`${server.url}/send`);
    expect(await sent.json()).toEqual({ ok: true });
    expect(sent.headers.getSetCookie()).toHaveLength(1);
    expect(await (await jar.fetch(`${server.url}/way`)).text()).toBe('send');
    expect(await (await jar.fetch(`${server.url}/async`)).text()).toBe('async');
    expect(await (await jar.fetch(`${server.url}/way`)).text()).toBe('async');
    const streamed = await jar.fetch(`${server.url}/stream`);
    expect(await streamed.text()).toBe('abc');
    expect(streamed.headers.get('vary')).toBe('Cookie');
    expect(await (await jar.fetch(`${server.url}/way`)).text()).toBe('stream');
    expect(await (await jar.fetch(`${server.url}/web-stream`)).text()).toBe('web');
    expect(await (await jar.fetch(`${server.url}/way`)).text()).toBe('web');
    expect(store.calls.commit).toBe(4);
  });

  it('keeps the Vary and Cache-Control the handler set, and its own Set-Cookie', async () => {
    const { manager } = setup();
    server = await startFastify(async (app) => {
      await app.register(fastifySessions, { manager });
      app.get('/', (request, reply) => {
        request.session.put('n', 1);
        reply.header('Vary', 'Accept-Encoding').header('Cache-Control', 'private').header('Set-Cookie', 'theme=dark').send('ok');
      });
      app.get('/star', (_request, reply) => reply.header('Vary', '*').send('ok'));
    });
    const response = await fetch(server.url);
    expect(response.headers.get('vary')).toBe('Accept-Encoding, Cookie');
    expect(response.headers.get('cache-control')).toBe('private, no-cache="Set-Cookie"');
    const cookies = response.headers.getSetCookie();
    expect(cookies[0]).toBe('theme=dark');
    expect(cookies[1]).toMatch(/^session=/);
    expect((await fetch(`${server.url}/star`)).headers.get('vary')).toBe('*');
  });

  it("a handler error with a 4xx status commits nothing either; Fastify's error handler answers", async () => {
    const { store, manager } = setup();
    server = await startFastify(async (app) => {
      await app.register(fastifySessions, { manager });
      app.get('/put', (request) => {
        request.session.put('n', 1);
        return 'ok';
      });
      app.get('/reject', async (request) => {
        request.session.put('n', 3);
        await sleep(1);
        throw Object.assign(new Error('not allowed'), { statusCode: 403 });
      });
      app.get('/n', (request) => String(request.session.get('n')));
    });
    const jar = new CookieJar();
    await jar.fetch(`${server.url}/put`);
    store.reset();
    const response = await jar.fetch(`${server.url}/reject`);
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ message: 'not allowed' });
    expect(response.headers.getSetCookie()).toEqual([]);
    expect(response.headers.get('vary')).toBe('Cookie');
    expect(response.headers.get('cache-control')).toBeNull();
    expect(store.writes()).toBe(0);
    expect(await (await jar.fetch(`${server.url}/n`)).text()).toBe('1');
  });

  it('a hijacked reply gets the session but no headers and no save; manager.commit saves it', async () => {
    const { store, manager } = setup();
    server = await startFastify(async (app) => {
      await app.register(fastifySessions, { manager });
      app.get('/hijack', async (request, reply) => {
        reply.hijack();
        request.session.put('n', 5);
        reply.raw.writeHead(200, { 'content-type': 'text/plain' });
        reply.raw.end(String(request.session.status));
      });
      app.get('/commit', async (request, reply) => {
        reply.hijack();
        request.session.put('n', 6);
        const { token } = await manager.commit(request.session);
        reply.raw.writeHead(200, { 'content-type': 'text/plain' });
        reply.raw.end(token);
      });
      app.get('/n', (request) => String(request.session.get('n')));
    });
    const hijacked = await fetch(`${server.url}/hijack`);
    expect(await hijacked.text()).toBe('modified');
    expect(hijacked.headers.getSetCookie()).toEqual([]);
    expect(hijacked.headers.get('vary')).toBeNull();
    expect(store.writes()).toBe(0);
    const token = await (await fetch(`${server.url}/commit`)).text();
    expect(store.calls.commit).toBe(1);
    expect(await (await fetch(`${server.url}/n`, { headers: { cookie: `session=${token}` } })).text()).toBe('6');
  });

  it('a store failure drops a streamed payload and answers through onError', async () => {
    const { store, manager } = setup();
    let destroyed = false;
    server = await startFastify(async (app) => {
      await app.register(fastifySessions, { manager });
      app.get('/stream', (request, reply) => {
        request.session.put('n', 1);
        const body = Readable.from(['never']);
        body.on('close', () => (destroyed = true));
        store.failWith = new Error('disk full');
        reply.send(body);
      });
    });
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    const response = await fetch(`${server.url}/stream`);
    expect(response.status).toBe(500);
    expect(await response.text()).toBe('Internal Server Error');
    expect(response.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(destroyed).toBe(true);
    expect(log).toHaveBeenCalledOnce();
  });

  it.each([
    ['manager', {}],
    ['manager', { manager: {} }],
    ['onError', { manager: new SessionManager(), onError: 'log' }],
    ['tokenHeader', { manager: new SessionManager(), tokenHeader: 'bad header' }],
  ])('rejects a bad %s with a TypeError naming it', async (name, options) => {
    const app = Fastify();
    await expect(app.register(fastifySessions, options as never)).rejects.toThrow(TypeError);
    const again = Fastify();
    await expect(again.register(fastifySessions, options as never)).rejects.toThrow(`option ${name}`);
  });
});
