// node:http and Express specifics: streaming, a failed save after the headers went out, flushHeaders, Express helpers.
import { request } from 'node:http';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SessionManager } from '../../src/index.js';
import { nodeSessions } from '../../src/adapters/node.js';
import { CookieJar } from './support/jar.js';
import { sleep } from '../support/time.js';
import { startExpress, startNode, type Running } from './support/servers.js';
import { TestStore } from '../support/store.js';

interface Data {
  step: number;
}

let server: Running | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  await server?.close();
  server = undefined;
});

function setup() {
  const store = new TestStore({ stableBytes: false });
  const manager = new SessionManager<Data>({ store });
  return { store, manager, sessions: nodeSessions(manager) };
}

/** Resolves with how the response ended: 'complete' or 'aborted' (connection cut before the end). */
function outcome(url: string, cookie = ''): Promise<{ end: 'complete' | 'aborted'; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve) => {
    const req = request(url, { headers: { cookie } }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ end: 'complete', body, headers: res.headers }));
      res.on('error', () => resolve({ end: 'aborted', body, headers: res.headers }));
      res.on('aborted', () => resolve({ end: 'aborted', body, headers: res.headers }));
    });
    req.on('error', () => resolve({ end: 'aborted', body: '', headers: {} }));
    req.end();
  });
}

describe('nodeSessions', () => {
  it('streams on plain node:http: commit before the first byte, later changes saved before the end', async () => {
    const { store, sessions } = setup();
    store.delay = 20;
    server = await startNode(
      sessions.wrap(async (req, res) => {
        if (req.url === '/step') return void res.end(String(req.session.get('step')));
        req.session.put('step', 1);
        res.writeHead(201, { 'X-Mine': 'yes' });
        res.write('a');
        await sleep(10);
        req.session.put('step', 2);
        res.write('b');
        res.end('c');
      }),
    );
    const jar = new CookieJar();
    const response = await jar.fetch(`${server.url}/stream`);
    expect(store.inner.size).toBe(1);
    expect(response.status).toBe(201);
    expect(response.headers.get('x-mine')).toBe('yes');
    expect(response.headers.get('vary')).toBe('Cookie');
    expect(await response.text()).toBe('abc');
    expect(store.calls.commitIf).toBe(2);
    expect(await (await jar.fetch(`${server.url}/step`)).text()).toBe('2');
  });

  it('destroys the connection when the save fails after the headers went out', async () => {
    const { store, sessions } = setup();
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    server = await startNode(
      sessions.wrap(async (req, res) => {
        req.session.put('step', 1);
        res.write('partial');
        await sleep(10);
        req.session.put('step', 2);
        store.failWith = new Error('disk full');
        res.end('rest');
      }),
    );
    const result = await outcome(`${server.url}/`);
    expect(result.end).toBe('aborted');
    expect(result.body).toBe('partial');
    expect(log).toHaveBeenCalledTimes(1);
    store.failWith = undefined;
    expect((await fetch(`${server.url}/`)).status).toBe(200);
  });

  it('flushHeaders saves first; Express res.json, res.redirect and status work through the middleware', async () => {
    const { store, sessions } = setup();
    store.delay = 5;
    server = await startExpress((app) => {
      app.use(sessions);
      app.get('/json', (req, res) => {
        req.session.put('step', 7);
        res.status(202).json({ ok: true });
      });
      app.get('/redirect', (req, res) => {
        req.session.put('step', 8);
        res.redirect('/json');
      });
      app.get('/flush', (req, res) => {
        req.session.put('step', 9);
        res.flushHeaders();
        setTimeout(() => res.end('flushed'), 10);
      });
      app.get('/step', (req, res) => {
        res.send(String(req.session.get('step')));
      });
    });
    const jar = new CookieJar();
    const json = await jar.fetch(`${server.url}/json`);
    expect(json.status).toBe(202);
    expect(await json.json()).toEqual({ ok: true });
    expect(json.headers.getSetCookie()).toHaveLength(1);
    const redirect = await jar.fetch(`${server.url}/redirect`, { redirect: 'manual' });
    expect(redirect.status).toBe(302);
    expect(redirect.headers.get('vary')).toMatch(/Cookie/);
    const flush = await jar.fetch(`${server.url}/flush`);
    expect(flush.headers.getSetCookie()).toHaveLength(1);
    expect(await flush.text()).toBe('flushed');
    expect(await (await jar.fetch(`${server.url}/step`)).text()).toBe('9');
  });

  it('keeps a Vary the application set, and the application Set-Cookie headers', async () => {
    const { sessions } = setup();
    server = await startNode(
      sessions.wrap((req, res) => {
        req.session.put('step', 1);
        res.setHeader('Vary', 'Accept-Encoding');
        res.setHeader('Set-Cookie', 'theme=dark');
        res.end();
      }),
    );
    const response = await fetch(server.url);
    expect(response.headers.get('vary')).toBe('Accept-Encoding, Cookie');
    const cookies = response.headers.getSetCookie();
    expect(cookies[0]).toBe('theme=dark');
    expect(cookies[1]).toMatch(/^session=/);
  });

  it('writeHead(status, headers) keeps the session headers, over headers set before, sync or async store', async () => {
    const { store, sessions } = setup();
    server = await startNode(
      sessions.wrap((req, res) => {
        req.session.put('step', 1);
        res.setHeader('Vary', 'Origin');
        res.setHeader('Cache-Control', 'no-store');
        res.writeHead(200, { Vary: 'Accept-Encoding', 'Set-Cookie': ['theme=dark', 'lang=en'], 'Cache-Control': 'private' });
        res.end('ok');
      }),
    );
    for (const delay of [0, 5]) {
      store.delay = delay;
      const response = await fetch(server.url);
      expect(await response.text()).toBe('ok');
      // as node:http does, writeHead's headers replace those set before; the session's are added
      expect(response.headers.get('vary')).toBe('Accept-Encoding, Cookie');
      expect(response.headers.get('cache-control')).toBe('private, no-cache="Set-Cookie"');
      const cookies = response.headers.getSetCookie();
      expect(cookies.slice(0, 2)).toEqual(['theme=dark', 'lang=en']);
      expect(cookies[2]).toMatch(/^session=[A-Za-z0-9_-]{43};/);
    }
  });

  it('writeHead, write and end return what node:http returns, while the save waits and after, so calls chain', async () => {
    const { store, sessions } = setup();
    const returned: unknown[] = [];
    server = await startNode(
      sessions.wrap((req, res) => {
        req.session.put('step', 1);
        returned.push(res.writeHead(200, { 'Content-Type': 'text/plain' }) === res, res.write('a'), res.write('b'));
        returned.push(res.end('c') === res);
      }),
    );
    for (const delay of [0, 5]) {
      store.delay = delay;
      returned.length = 0;
      const response = await fetch(server.url);
      expect(await response.text()).toBe('abc');
      expect(returned).toEqual([true, true, true, true]);
    }
  });

  it('a handler that throws gets a 500 from the default onError (plain node:http)', async () => {
    const { sessions } = setup();
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    server = await startNode(
      sessions.wrap(() => {
        throw new Error('boom');
      }),
    );
    expect((await fetch(server.url)).status).toBe(500);
    expect(log).toHaveBeenCalledOnce();
  });
});
