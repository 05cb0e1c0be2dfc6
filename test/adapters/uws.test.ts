// uWS-only behaviours: aborts during slow store calls, streaming, the promise-free path, deferred ends, bodies, upgrades.
import { request } from 'node:http';
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SessionManager, type Session } from '../../src/index.js';
import { uwsSessions, type SessionHttpResponse, type UwsSessionOptions } from '../../src/adapters/uws.js';
import { CookieJar } from './support/jar.js';
import { sleep } from '../support/time.js';
import { startUws, type Running } from './support/servers.js';
import { TestStore } from '../support/store.js';

interface Data {
  message: string;
  step: number;
}
type Handler = (res: SessionHttpResponse, req: import('uWebSockets.js').HttpRequest, session: Session<Data>) => void | Promise<void>;

let server: Running | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  await server?.close();
  server = undefined;
});

async function start(routes: Record<string, Handler>, options?: UwsSessionOptions) {
  const store = new TestStore({ stableBytes: false });
  const manager = new SessionManager<Data>({ store });
  const withSession = uwsSessions(manager, options);
  server = await startUws((app) => {
    for (const [path, handler] of Object.entries(routes)) app.any(path, withSession(handler));
  });
  return { store, manager, url: server.url, withSession };
}

/** Sends a request and drops the connection after `ms`, before any answer. */
function abortAfter(url: string, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const req = request(url);
    req.on('error', () => resolve());
    req.on('response', () => resolve());
    req.end();
    setTimeout(() => {
      req.destroy();
      resolve();
    }, ms);
  });
}

describe('uwsSessions', () => {
  it('survives a client abort during a slow find; the next requests are fine', async () => {
    const handler = vi.fn<Handler>((res, _req, session) => {
      session.put('message', 'late');
      res.end('x');
    });
    const { url, store } = await start({ '/slow': handler, '/get': (res, _req, s) => void res.end(s.getString('message')) });
    const jar = new CookieJar();
    await jar.fetch(`${url}/slow`);
    store.delay = 150;
    handler.mockClear();
    store.reset();
    const asked = store.nextFind();
    const req = request(`${url}/slow`, { headers: { cookie: jar.header() } });
    req.on('error', () => {});
    req.end();
    await asked;
    req.destroy(); // while the store is still looking
    await sleep(250);
    expect(store.calls.find).toBe(1);
    expect(handler).not.toHaveBeenCalled(); // the client left while loading: nothing to do
    store.delay = 0;
    expect(await (await jar.fetch(`${url}/get`)).text()).toBe('late');
  });

  it('commits a modified session whose client aborted during a slow commit', async () => {
    const { url, store, manager } = await start({
      '/put': (res, _req, session) => {
        session.put('message', 'kept');
        res.end('ok');
      },
    });
    store.delay = 200;
    const committed = store.nextCommit();
    await abortAfter(`${url}/put`, 40);
    await committed;
    const seen: string[] = [];
    await manager.iterate((s) => void seen.push(s.getString('message')));
    expect(seen).toEqual(['kept']);
    store.delay = 0;
    expect((await fetch(`${url}/put`)).status).toBe(200);
  });

  it('commits a session changed by a handler that was still awaiting when the client left', async () => {
    let wrote = false;
    const { url, store, manager } = await start({
      '/work': async (res, _req, session) => {
        await sleep(150);
        session.put('message', 'after abort');
        if (!res.aborted) wrote = true;
        res.end('done'); // ignored: the client is gone
      },
    });
    await abortAfter(`${url}/work`, 30);
    await sleep(250);
    expect(wrote).toBe(false);
    expect(store.calls.commitIf).toBe(1);
    const seen: string[] = [];
    await manager.iterate((s) => void seen.push(s.getString('message')));
    expect(seen).toEqual(['after abort']);
  });

  it('streams: write then end, with the commit done before the first byte', async () => {
    let committedAtFirstWrite = -1;
    const { url, store } = await start({
      '/stream': async (res, _req, session) => {
        session.put('step', 1);
        res.writeStatus('201 Created').writeHeader('X-Mine', 'yes');
        res.write('a');
        await sleep(20);
        committedAtFirstWrite = store.calls.commitIf;
        res.cork(() => res.write('b'));
        session.put('step', 2); // a change after the headers went out is saved before the end
        await sleep(20);
        res.cork(() => res.end('c'));
      },
      '/step': (res, _req, session) => void res.end(String(session.get('step'))),
    });
    store.delay = 30;
    const jar = new CookieJar();
    const response = await jar.fetch(`${url}/stream`);
    expect(store.inner.size).toBe(1); // the headers arrived: the session was already stored
    expect(response.status).toBe(201);
    expect(response.headers.get('x-mine')).toBe('yes');
    expect(response.headers.get('vary')).toBe('Cookie');
    expect(response.headers.getSetCookie()).toHaveLength(1);
    expect(await response.text()).toBe('abc');
    expect(committedAtFirstWrite).toBe(1);
    expect(store.calls.commitIf).toBe(2);
    expect(await (await jar.fetch(`${url}/step`)).text()).toBe('2');
  });

  it('runs the whole request without a promise when the store and the handler are synchronous', async () => {
    const { withSession } = await start({});
    await server!.close();
    let thens = -1;
    const inner = withSession((res, _req, session) => {
      session.put('message', 'sync');
      res.writeHeader('Content-Type', 'text/plain').end(session.getString('message'));
    });
    const read = withSession((res, _req, session) => void res.end(session.getString('message')));
    const original = Promise.prototype.then;
    const counting = (route: typeof inner) => (res: import('uWebSockets.js').HttpResponse, req: import('uWebSockets.js').HttpRequest) => {
      let calls = 0;
      Promise.prototype.then = function (this: Promise<unknown>, ...args: Parameters<typeof original>) {
        calls++;
        return original.apply(this, args);
      } as typeof original;
      try {
        route(res, req);
      } finally {
        Promise.prototype.then = original;
      }
      thens = calls;
    };
    server = await startUws((app) => {
      app.get('/put', counting(inner));
      app.get('/get', counting(read));
    });
    const jar = new CookieJar();
    const put = await jar.fetch(`${server.url}/put`);
    expect(await put.text()).toBe('sync');
    expect(put.headers.getSetCookie()).toHaveLength(1);
    expect(thens).toBe(0);
    thens = -1;
    expect(await (await jar.fetch(`${server.url}/get`)).text()).toBe('sync');
    expect(thens).toBe(0);
  });

  it('a handler may return without responding and end later from a callback', async () => {
    const { url } = await start({
      '/later': (res, _req, session) => {
        res.onAborted(() => {});
        setTimeout(() => {
          session.put('message', 'later');
          res.cork(() => res.end('later'));
        }, 20);
      },
    });
    const response = await fetch(`${url}/later`);
    expect(await response.text()).toBe('later');
    expect(response.headers.getSetCookie()).toHaveLength(1);
  });

  it('endWithoutBody and tryEnd go out after the save, sync or async store', async () => {
    const { url, store } = await start({
      '/nobody': (res, _req, session) => {
        session.put('message', 'x');
        res.writeStatus('204 No Content').endWithoutBody();
      },
      '/try': (res, _req, session) => {
        session.put('message', 'y');
        const body = Buffer.from('tried');
        res.onAborted(() => {});
        const [ok, done] = res.tryEnd(body, body.length);
        if (!ok && !done) {
          res.onWritable((offset) => {
            const [sent] = res.tryEnd(body.subarray(offset), body.length);
            return sent;
          });
        }
      },
    });
    for (const delay of [0, 10]) {
      store.delay = delay;
      const nobody = await fetch(`${url}/nobody`);
      expect(nobody.status).toBe(204);
      expect(nobody.headers.getSetCookie()).toHaveLength(1);
      const tried = await fetch(`${url}/try`);
      expect(await tried.text()).toBe('tried');
      expect(tried.headers.getSetCookie()).toHaveLength(1);
    }
  });

  it('gives a handler run after an async load a usable copy of req and the request body', async () => {
    const { url, store } = await start({
      '/echo/:name': (res, req, session) => {
        const name = req.getParameter(0);
        const header = req.getHeader('x-test');
        const query = req.getQuery('q');
        let body = '';
        res.onAborted(() => {});
        res.onData((chunk, isLast) => {
          body += Buffer.from(chunk).toString();
          if (isLast) {
            session.put('message', body);
            res.cork(() => res.end(`${name}|${header}|${query}|${body}`));
          }
        });
      },
    });
    for (const delay of [0, 20]) {
      store.delay = delay;
      const response = await fetch(`${url}/echo/bob?q=1`, { method: 'POST', body: 'payload', headers: { 'x-test': 'h', cookie: `session=${'A'.repeat(43)}` } });
      expect(await response.text()).toBe('bob|h|1|payload');
    }
  });

  it('answers 500 when the handler throws or rejects before responding', async () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    const { url } = await start({
      '/throw': () => {
        throw new Error('boom');
      },
      '/reject': async () => {
        await sleep(5);
        throw new Error('later boom');
      },
    });
    expect((await fetch(`${url}/throw`)).status).toBe(500);
    expect((await fetch(`${url}/reject`)).status).toBe(500);
    expect(log).toHaveBeenCalledTimes(2);
  });
});

describe('uwsSessions upgrade', () => {
  it('loads the session into the socket user data; handlers commit explicitly', async () => {
    const store = new TestStore({ stableBytes: false });
    const manager = new SessionManager<Data>({ store });
    const withSession = uwsSessions(manager);
    server = await startUws((app) => {
      app.get(
        '/put',
        withSession((res, _req, session) => {
          session.put('message', 'from http');
          res.end();
        }),
      );
      app.ws<{ session: Session<Data>; url: string }>('/ws', {
        upgrade: withSession.upgrade((req) => ({ url: req.getUrl() })),
        message: async (ws, message) => {
          const { session, url } = ws.getUserData();
          const before = session.getString('message');
          session.put('message', Buffer.from(message).toString());
          await manager.commit(session);
          ws.send(`${url}:${before}`);
        },
      });
    });
    for (const delay of [0, 10]) {
      store.delay = delay;
      const jar = new CookieJar();
      await jar.fetch(`${server.url}/put`);
      const reply = await wsRoundTrip(`${server.url}/ws`, jar.header(), 'from ws');
      expect(reply).toBe('/ws:from http');
      const seen: string[] = [];
      await manager.iterate((s) => void seen.push(s.getString('message')));
      expect(seen).toContain('from ws');
      store.inner.sweep();
      for await (const [token] of store.inner.all()) store.inner.delete(token);
    }
  });
});

/** A minimal WebSocket client: handshake, one masked text frame out, one text frame back. */
function wsRoundTrip(url: string, cookie: string, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(url, {
      headers: { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==', cookie },
    });
    req.on('error', reject);
    req.on('response', (res) => reject(new Error(`no upgrade: ${res.statusCode}`)));
    req.on('upgrade', (_res, socket: Socket) => {
      const payload = Buffer.from(text);
      const mask = Buffer.from([1, 2, 3, 4]);
      const frame = Buffer.concat([Buffer.from([0x81, 0x80 | payload.length]), mask, payload.map((b, i) => b ^ mask[i % 4]!)]);
      socket.write(frame);
      socket.once('data', (data: Buffer) => {
        resolve(data.subarray(2, 2 + (data[1]! & 0x7f)).toString());
        socket.destroy();
      });
    });
    req.end();
  });
}
