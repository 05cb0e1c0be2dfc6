// uWS and several Cookie lines: sessionkit finds the session cookie in any of them (on routes and WebSocket upgrades); the handler's req stays uWS's own.
import { connect, type Socket } from 'node:net';
import type { HttpRequest } from 'uWebSockets.js';
import { afterEach, describe, expect, it } from 'vitest';
import { SessionManager, type Session } from '../../src/index.js';
import { uwsSessions } from '../../src/adapters/uws.js';
import { CookieJar } from './support/jar.js';
import { startUws, type Running } from './support/servers.js';
import { TestStore } from '../support/store.js';

interface Data {
  message: string;
}

let server: Running | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** Opens a connection and sends a request head with one `Cookie:` line per entry of `cookies`. */
function send(url: string, head: string, cookies: string[]): Socket {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  socket.write(`${head}\r\nHost: localhost\r\n${cookies.map((line) => `Cookie: ${line}\r\n`).join('')}\r\n`);
  return socket;
}

/** Everything the server sends until `done` says the text is complete. */
function readUntil(socket: Socket, done: (text: string) => boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    socket.setTimeout(5_000, () => socket.destroy(new Error('no answer within 5 s')));
    socket.on('error', reject);
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('latin1');
      if (done(text)) resolve(text);
    });
    socket.on('end', () => resolve(text));
  });
}

describe('uwsSessions with several Cookie lines', () => {
  async function start() {
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
      app.get(
        '/cookie',
        withSession((res, req: HttpRequest, session) => {
          const header = req.getHeader('cookie');
          res.cork(() => res.end(`${session.getString('message')}|${header}`));
        }),
      );
      app.ws<{ session: Session<Data> }>('/ws', {
        upgrade: withSession.upgrade(),
        open: (ws) => {
          ws.send(`open:${ws.getUserData().session.getString('message')}`);
        },
      });
    });
    const jar = new CookieJar();
    await jar.fetch(`${server.url}/put`);
    return { store, session: jar.header() };
  }

  it("finds the session in a later line, sync or async store, and leaves the handler uWS's first line", async () => {
    const { store, session } = await start();
    for (const delay of [0, 10]) {
      store.delay = delay;
      const socket = send(server!.url, 'GET /cookie HTTP/1.1\r\nConnection: close', ['theme=dark', session]);
      const response = await readUntil(socket, () => false);
      expect(response, `delay ${delay}`).toMatch(/^HTTP\/1\.1 200/);
      expect(response.endsWith('\r\n\r\nfrom http|theme=dark'), `delay ${delay}`).toBe(true);
      // The next request, without the cookie, gets a new session: nothing of the last one's lines is kept.
      for (const lines of [[], ['theme=dark'], ['theme=dark', 'lang=en']]) {
        const next = await readUntil(send(server!.url, 'GET /cookie HTTP/1.1\r\nConnection: close', lines), () => false);
        expect(next.endsWith(`\r\n\r\n|${lines[0] ?? ''}`), JSON.stringify(lines)).toBe(true);
      }
    }
  });

  it('loads the session of a later Cookie line into a WebSocket upgrade', async () => {
    const { store, session } = await start();
    for (const delay of [0, 10]) {
      store.delay = delay;
      const socket = send(
        server!.url,
        'GET /ws HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
        ['lang=en', '', session],
      );
      const text = await readUntil(socket, (received) => received.includes('open:'));
      socket.destroy();
      expect(text, `delay ${delay}`).toMatch(/^HTTP\/1\.1 101/);
      expect(text, `delay ${delay}`).toContain('open:from http');
    }
  });
});
