// Express responses take sessionkit/node's hooks through their prototype chain: sub-apps, other apps, wrapping middleware.
import express from 'express';
import express4 from 'express4';
import type { NextFunction, Request, Response } from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { SessionManager } from '../../src/index.js';
import { nodeSessions } from '../../src/adapters/node.js';
import { CookieJar } from './support/jar.js';
import { startExpress, type Running } from './support/servers.js';
import { TestStore } from '../support/store.js';

interface Data {
  step: number;
}

const running: Running[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((server) => server.close()));
});

async function start(version: 4 | 5, setup: (app: express.Express) => void): Promise<string> {
  const server = await startExpress(setup, version);
  running.push(server);
  return server.url;
}

function setup(delay: number) {
  const store = new TestStore({ stableBytes: false });
  store.delay = delay;
  const manager = new SessionManager<Data>({ store });
  return { store, manager, sessions: nodeSessions(manager) };
}

/** GETs `put` with a fresh cookie jar: it must set one cookie and answer `body`; then `step` must answer `stepped`. Returns the /put response. */
async function putThenStep(put: string, body: string, step: string, stepped: string): Promise<globalThis.Response> {
  const jar = new CookieJar();
  const response = await jar.fetch(put);
  expect(response.headers.getSetCookie()).toHaveLength(1);
  expect(await response.text()).toBe(body);
  expect(await (await jar.fetch(step)).text()).toBe(stepped);
  return response;
}

const ownMethods = (res: object) => ['writeHead', 'write', 'end', 'flushHeaders'].filter((name) => Object.hasOwn(res, name));

describe.each([5, 4] as const)('nodeSessions on Express %i', (version) => {
  const newApp = () => (version === 4 ? express4() : express()) as unknown as express.Express;

  it.each([0, 5])('adds no own writeHead/write/end/flushHeaders to the response (store delay %i ms)', async (delay) => {
    const { sessions } = setup(delay);
    let own: string[] = ['not called'];
    const url = await start(version, (app) => {
      app.use(sessions);
      app.get('/put', (req, res) => {
        own = ownMethods(res);
        req.session.put('step', 1);
        res.send('ok');
      });
      app.get('/step', (req, res) => res.send(String(req.session.get('step'))));
    });
    await putThenStep(`${url}/put`, 'ok', `${url}/step`, '1');
    expect(own).toEqual([]);
  });

  it.each([0, 5])('saves in the routes of a mounted sub-app (store delay %i ms)', async (delay) => {
    const { sessions } = setup(delay);
    const url = await start(version, (app) => {
      const sub = newApp();
      sub.get('/put', (req, res) => {
        req.session.put('step', 2);
        res.write('a');
        res.end('b');
      });
      sub.get('/step', (req, res) => res.send(String(req.session.get('step'))));
      app.use(sessions);
      app.use('/sub', sub);
    });
    const put = await putThenStep(`${url}/sub/put`, 'ab', `${url}/sub/step`, '2');
    expect(put.headers.get('vary')).toBe('Cookie');
  });

  it('saves when the sessions run in a sub-app and a parent route answers', async () => {
    const { sessions } = setup(5);
    const url = await start(version, (app) => {
      const sub = newApp();
      sub.use(sessions);
      sub.use((req: Request, _res: Response, next: NextFunction) => {
        req.session.put('step', Number(req.session.get('step') ?? 0) + 1);
        next();
      });
      app.use('/sub', sub);
      app.get('/sub/count', (req, res) => res.send(String(req.session.get('step'))));
    });
    const jar = new CookieJar();
    const first = await jar.fetch(`${url}/sub/count`);
    expect(first.headers.getSetCookie()).toHaveLength(1);
    expect(await first.text()).toBe('1');
    expect(await (await jar.fetch(`${url}/sub/count`)).text()).toBe('2');
  });

  it("follows a middleware that replaced the response's write and end before the sessions", async () => {
    const { sessions } = setup(5);
    const url = await start(version, (app) => {
      app.use((_req: Request, res: Response, next: NextFunction) => {
        const write = res.write;
        const end = res.end;
        res.write = function upper(this: Response, chunk: unknown, ...rest: unknown[]) {
          return (write as (...args: unknown[]) => boolean).call(this, String(chunk).toUpperCase(), ...rest);
        } as Response['write'];
        res.end = function upperEnd(this: Response, chunk?: unknown, ...rest: unknown[]) {
          return (end as (...args: unknown[]) => Response).call(this, chunk === undefined ? chunk : String(chunk).toUpperCase(), ...rest);
        } as Response['end'];
        next();
      });
      app.use(sessions);
      app.get('/put', (req, res) => {
        req.session.put('step', 4);
        res.write('a');
        res.end('b');
      });
      app.get('/step', (req, res) => res.end(String(req.session.get('step'))));
    });
    await putThenStep(`${url}/put`, 'AB', `${url}/step`, '4');
  });

  it('leaves the responses of an Express app without sessions as they were', async () => {
    const { sessions } = setup(0);
    const withSessions = await start(version, (app) => {
      app.use(sessions);
      app.get('/', (req, res) => {
        req.session.put('step', 5);
        res.send('with');
      });
    });
    const without = await start(version, (app) => {
      app.get('/', (_req, res) => {
        res.write('with');
        res.end('out');
      });
    });
    expect((await fetch(withSessions)).headers.getSetCookie()).toHaveLength(1);
    const plain = await fetch(without);
    expect(await plain.text()).toBe('without');
    expect(plain.headers.get('vary')).toBeNull();
    expect(plain.headers.getSetCookie()).toEqual([]);
  });

  it('runs two session layers on one response, each with its own cookie', async () => {
    const first = setup(5);
    const secondStore = new TestStore({ stableBytes: false });
    const second = new SessionManager<Data>({ store: secondStore, cookie: { name: 'other' } });
    const url = await start(version, (app) => {
      app.use(first.sessions);
      app.use((req: Request, _res: Response, next: NextFunction) => {
        req.session.put('step', 6);
        next();
      });
      app.use(nodeSessions(second));
      app.get('/', (req, res) => {
        req.session.put('step', 7);
        res.send('two');
      });
    });
    const response = await fetch(url);
    expect(await response.text()).toBe('two');
    expect(response.headers.getSetCookie()).toHaveLength(2);
    expect(first.store.inner.size).toBe(1);
    expect(secondStore.inner.size).toBe(1);
  });
});
