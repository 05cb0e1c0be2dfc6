// sessionkit/hono's path for @hono/node-server's lightweight responses, over a real socket: the session's headers go into node-server's header record, merged with the handler's own exactly as on the generic path.
import type { Context, MiddlewareHandler } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import { SessionManager } from '../../src/index.js';
import { honoSessions, type SessionEnv } from '../../src/adapters/hono.js';
import { startHono } from './support/hono-server.js';
import { CookieJar } from './support/jar.js';
import type { Running } from './support/servers.js';

interface Data {
  n: number;
}

/** Headers a handler reuses for every response: sessionkit must not write into them. */
const SHARED_HEADERS: Record<string, string> = { Vary: 'Accept-Encoding', 'Cache-Control': 'max-age=60', 'Content-Type': 'text/html' };

/** What the lightweight response `c.res` holds as its headers, without reading `c.res.headers` (which would build a Headers). */
function lightweightHeaders(c: Context): unknown {
  const key = Object.getOwnPropertySymbols(c.res).find((symbol) => symbol.description === 'cache');
  if (key === undefined) return 'not lightweight';
  return (c.res as unknown as Record<symbol, unknown[]>)[key]![2];
}

describe('hono adapter on @hono/node-server lightweight responses', () => {
  let server: Running | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  async function serve(options: { tokenHeader?: string; outer?: MiddlewareHandler } = {}) {
    const manager = new SessionManager<Data>();
    server = await startHono<SessionEnv<Data>>((app) => {
      if (options.outer) app.use(options.outer);
      app.use(honoSessions(manager, { tokenHeader: options.tokenHeader }));
      app.get('/text', (c) => c.text('text'));
      app.get('/put-text', (c) => {
        c.get('session').put('n', 1);
        return c.text('put');
      });
      app.get('/put-empty', (c) => {
        c.get('session').put('n', 2);
        return c.body(null);
      });
      app.get('/json', (c) => c.json({ ok: true }));
      app.get('/n', (c) => c.text(String(c.get('session').get('n'))));
      app.get('/shared', (c) => {
        c.get('session').put('n', 3);
        return new Response('shared', { headers: SHARED_HEADERS });
      });
      app.get('/own-cookie', (c) => {
        c.get('session').put('n', 4);
        return new Response('own', { headers: { 'set-cookie': 'theme=dark', vary: 'Accept' } });
      });
      app.get('/own-cookie-read', () => new Response('own', { headers: { 'set-cookie': 'theme=dark', vary: 'Accept' } }));
      app.get('/vary-star', () => new Response('any', { headers: { Vary: '*' } }));
    });
    return server.url;
  }

  it('adds Vary to a text, JSON or empty response and keeps node-server defaults (Content-Type, Content-Length)', async () => {
    const url = await serve();
    const text = await fetch(`${url}/text`);
    expect(await text.text()).toBe('text');
    expect(text.headers.get('vary')).toBe('Cookie');
    expect(text.headers.get('content-type')).toBe('text/plain; charset=UTF-8');
    expect(text.headers.get('content-length')).toBe('4');
    expect(text.headers.getSetCookie()).toEqual([]);
    expect(text.headers.get('cache-control')).toBeNull();
    const json = await fetch(`${url}/json`);
    expect(await json.json()).toEqual({ ok: true });
    expect(json.headers.get('content-type')).toBe('application/json');
    expect(json.headers.get('vary')).toBe('Cookie');
    const head = await fetch(`${url}/text`, { method: 'HEAD' });
    expect(head.headers.get('vary')).toBe('Cookie');
  });

  it('sets the cookie and Cache-Control on a changed session, and the session is saved', async () => {
    const url = await serve();
    const jar = new CookieJar();
    const put = await jar.fetch(`${url}/put-text`);
    expect(await put.text()).toBe('put');
    expect(put.headers.getSetCookie()).toEqual([expect.stringMatching(/^session=/)]);
    expect(put.headers.get('cache-control')).toBe('no-cache="Set-Cookie"');
    expect(put.headers.get('vary')).toBe('Cookie');
    expect(await (await jar.fetch(`${url}/n`)).text()).toBe('1');
    const empty = await jar.fetch(`${url}/put-empty`);
    expect(empty.status).toBe(200);
    expect(empty.headers.get('content-type')).toBeNull();
    expect(empty.headers.get('vary')).toBe('Cookie');
    expect(empty.headers.get('cache-control')).toBe('no-cache="Set-Cookie"');
    expect(await (await jar.fetch(`${url}/n`)).text()).toBe('2');
  });

  it("merges into the handler's own header record without writing into it", async () => {
    const url = await serve();
    for (let i = 0; i < 2; i++) {
      const response = await fetch(`${url}/shared`);
      expect(response.headers.get('vary')).toBe('Accept-Encoding, Cookie');
      expect(response.headers.get('cache-control')).toBe('max-age=60, no-cache="Set-Cookie"');
      expect(response.headers.get('content-type')).toBe('text/html');
      expect(response.headers.getSetCookie()).toEqual([expect.stringMatching(/^session=/)]);
    }
    expect(SHARED_HEADERS).toEqual({ Vary: 'Accept-Encoding', 'Cache-Control': 'max-age=60', 'Content-Type': 'text/html' });
    expect((await fetch(`${url}/vary-star`)).headers.get('vary')).toBe('*');
  });

  it("keeps the handler's own Set-Cookie, with or without the session's", async () => {
    const url = await serve();
    const both = await fetch(`${url}/own-cookie`);
    expect(both.headers.getSetCookie()).toEqual(['theme=dark', expect.stringMatching(/^session=/)]);
    expect(both.headers.get('vary')).toBe('Accept, Cookie');
    const own = await fetch(`${url}/own-cookie-read`);
    expect(own.headers.getSetCookie()).toEqual(['theme=dark']);
    expect(own.headers.get('vary')).toBe('Accept, Cookie');
  });

  it('sends a new token in the token header', async () => {
    const url = await serve({ tokenHeader: 'X-Session-Token' });
    const response = await fetch(`${url}/put-text`);
    expect(response.headers.get('x-session-token')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(response.headers.get('vary')).toBe('X-Session-Token');
    expect(response.headers.get('cache-control')).toBe('no-cache="X-Session-Token"');
  });

  it('shows the headers to a middleware that runs around it, and leaves the response lightweight', async () => {
    const seen: unknown[] = [];
    const url = await serve({
      outer: async (c, next) => {
        await next();
        seen.push(lightweightHeaders(c), c.res.headers.get('vary'), c.res.headers.get('set-cookie'));
      },
    });
    await fetch(`${url}/put-text`);
    expect(seen[0]).toEqual({
      'content-type': 'text/plain; charset=UTF-8',
      Vary: 'Cookie',
      'Set-Cookie': expect.stringMatching(/^session=/),
      'Cache-Control': 'no-cache="Set-Cookie"',
    });
    expect(seen[1]).toBe('Cookie');
    expect(seen[2]).toMatch(/^session=/);
  });
});
