// Edges every adapter must hold over a real socket: an onError that never settles, two Cookie lines, a client that leaves before its handler fails.
import { connect } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SessionManager } from '../../src/index.js';
import { heldHandlers, type AppData, type TestOptions } from './support/app.js';
import { CookieJar } from './support/jar.js';
import { adapterCases, type Running } from './support/servers.js';
import { makeStore } from '../support/store.js';
import { sleep } from '../support/time.js';

/** Sends `head` (request line and headers, without the blank line) on a fresh connection; resolves to the whole response. */
function rawRequest(url: string, head: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let response = '';
    socket.setTimeout(5_000, () => socket.destroy(new Error('no response within 5 s')));
    socket.on('data', (chunk: Buffer) => (response += chunk.toString('latin1')));
    socket.on('end', () => resolve(response));
    socket.on('error', reject);
    socket.write(`${head}\r\nConnection: close\r\n\r\n`);
  });
}

describe.each(adapterCases)('%s: edges', (_title, { server: adapter, store: storeKind }) => {
  let server: Running | undefined;
  afterEach(async () => {
    vi.restoreAllMocks();
    heldHandlers.releaseAll();
    await server?.close();
    server = undefined;
  });

  async function start(options: TestOptions = {}, timeout?: number) {
    const store = makeStore(storeKind);
    store.timeout = timeout;
    const manager = new SessionManager<AppData>({ store });
    server = await adapter.serve(manager, options);
    const jar = new CookieJar();
    const get = (path: string, signal: AbortSignal = AbortSignal.timeout(5_000)) => jar.fetch(`${server!.url}${path}`, { signal });
    return { store, jar, get };
  }

  it("answers 500 once an onError promise that never settles has had the store's operation budget", async () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    const { store, get } = await start({ onError: () => new Promise<undefined>(() => {}) }, 150);
    await get('/put');
    store.failWith = new Error('store down');
    const started = performance.now();
    const response = await get('/get');
    const waited = performance.now() - started;
    expect(response.status).toBe(500);
    expect(await response.text()).toBe('Internal Server Error');
    expect(response.headers.get('vary')).toBe('Cookie');
    expect(response.headers.getSetCookie()).toEqual([]);
    expect(waited).toBeGreaterThanOrEqual(140);
    expect(waited).toBeLessThan(3_000);
    expect(log.mock.calls.map((call) => String(call[0]))).toEqual([
      expect.stringMatching(/^sessionkit: \w+: onError did not settle within 150 ms; the request gets a 500$/),
    ]);
  });

  it('takes the answer of an onError that settles within its budget, and reports nothing as abandoned', async () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    const { store, get } = await start(
      {
        onError: async () => {
          await sleep(20);
          return { status: 503, body: 'in time' };
        },
      },
      150,
    );
    await get('/put');
    store.failWith = new Error('store down');
    const response = await get('/get');
    expect(response.status).toBe(503);
    expect(await response.text()).toBe('in time');
    await sleep(250);
    expect(log).not.toHaveBeenCalled();
  });

  it('keeps the 500 and keeps serving when an abandoned onError answers after its budget', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const { store, get } = await start(
      {
        onError: async () => {
          await sleep(300);
          return { status: 503, body: 'too late' };
        },
      },
      100,
    );
    await get('/put?v=kept');
    store.failWith = new Error('store down');
    expect((await get('/get')).status).toBe(500);
    await sleep(400);
    store.failWith = undefined;
    const after = await get('/get');
    expect(after.status).toBe(200);
    expect(await after.text()).toBe('kept');
  });

  it('reads the session cookie from any of several Cookie header lines, as node does', async () => {
    const { jar, get } = await start();
    await get('/put?v=two-lines');
    const session = jar.header();
    expect(session).toMatch(/^session=[A-Za-z0-9_-]{43}$/);
    for (const lines of [
      ['theme=dark', session],
      ['', session],
      [`${session}; theme=dark`, 'lang=en'],
      ['theme=dark', 'lang=en', session],
    ]) {
      const response = await rawRequest(server!.url, `GET /get HTTP/1.1\r\nHost: localhost\r\n${lines.map((line) => `Cookie: ${line}`).join('\r\n')}`);
      expect(response, JSON.stringify(lines)).toMatch(/^HTTP\/1\.1 200/);
      expect(response, JSON.stringify(lines)).toContain('two-lines');
    }
  });

  it('commits nothing when the client leaves while the handler is pending and the handler then rejects', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const { store, jar, get } = await start();
    await get('/put?v=before');
    const cookie = jar.header();
    store.reset();
    const client = new AbortController();
    const arrived = heldHandlers.arrival();
    const request = get('/hold-then-reject', client.signal).catch((error: unknown) => error);
    await arrived;
    client.abort();
    expect(await request).toBeInstanceOf(Error);
    await sleep(50); // the server sees the connection close
    heldHandlers.releaseAll();
    await sleep(100); // the handler rejects and the adapter settles
    expect(store.writes()).toBe(0);
    expect(jar.header()).toBe(cookie);
    expect(await (await get('/get')).text()).toBe('before');
    expect(store.writes()).toBe(0);
  });
});
