// Request bodies the handler has not read: at most 64 KiB held, the socket paused beyond, an unread body dropped.
import { afterEach, describe, expect, it } from 'vitest';
import { SessionManager } from '../../src/index.js';
import { nodeSessions } from '../../src/adapters/node.js';
import { uwsSessions, type UwsSessionHandler } from '../../src/adapters/uws.js';
import { UNREAD_BODY_LIMIT, UWS_READ_BYTES } from '../../src/adapters/uws-body.js';
import { sleep } from '../support/time.js';
import { CLIENT_CHUNK_BYTES, postLargeBody } from './support/large-body.js';
import { startNode, startUws, type Running } from './support/servers.js';
import { TestStore } from '../support/store.js';

type Data = { message: string; step: number };

let server: Running | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function startUwsRoutes(routes: Record<string, UwsSessionHandler<Data>>) {
  const store = new TestStore({ stableBytes: false });
  const withSession = uwsSessions(new SessionManager<Data>({ store }));
  server = await startUws((app) => {
    for (const [path, handler] of Object.entries(routes)) app.any(path, withSession(handler));
  });
  return { store, url: server.url };
}

describe('uwsSessions request bodies', () => {
  it('holds at most 64 KiB of a body the handler never asks for, and drops it once the response ended', async () => {
    const MiB = 1024 * 1024;
    let before = 0;
    let heldInHandler = -1;
    const { url, store } = await startUwsRoutes({
      '/get': (res, _req, session) => {
        heldInHandler = process.memoryUsage().arrayBuffers - before;
        res.end(session.getString('message'));
      },
    });
    store.delay = 400; // the body arrives while the session loads
    before = process.memoryUsage().arrayBuffers;
    const size = 48 * MiB;
    const post = await postLargeBody(url, '/get', size, { cookie: `session=${'A'.repeat(43)}` });
    expect(post.status).toBe(200);
    expect(heldInHandler).toBeLessThan(2 * MiB); // 64 KiB plus the network read in progress
    expect(post.acceptedAtAnswer).toBeLessThan(16 * MiB); // the socket was paused: only kernel buffers filled
    // After the answer the rest is read and dropped: the client can send it all, and nothing is kept.
    expect(await post.finished).toBe(size);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(4 * MiB);
    post.close();
  });

  it('holds at most UNREAD_BODY_LIMIT plus one network read per connection while a slow store loads the sessions', async () => {
    const MiB = 1024 * 1024;
    const connections = 16;
    let before = 0;
    let held = -1;
    const { url, store } = await startUwsRoutes({
      '/get': (res) => {
        if (held < 0) held = process.memoryUsage().arrayBuffers - before;
        res.end('ok');
      },
    });
    store.delay = 600; // every body arrives while its session loads
    before = process.memoryUsage().arrayBuffers;
    const posts = await Promise.all(Array.from({ length: connections }, () => postLargeBody(url, '/get', 8 * MiB, { cookie: `session=${'A'.repeat(43)}` })));
    for (const post of posts) post.close();
    const perConnection = held / connections - CLIENT_CHUNK_BYTES; // the clients run in this process
    expect(perConnection).toBeLessThan(UNREAD_BODY_LIMIT + UWS_READ_BYTES);
  });

  it('a handler that asks for the body late gets all of it, though reading paused meanwhile', async () => {
    const { url, store } = await startUwsRoutes({
      '/upload': async (res, _req, session) => {
        await sleep(100);
        let bytes = 0;
        let intact = true;
        res.onAborted(() => {});
        res.onData((chunk, isLast) => {
          const view = new Uint8Array(chunk);
          bytes += view.length;
          if (view.some((byte) => byte !== 97)) intact = false;
          if (isLast) {
            session.put('step', bytes);
            res.cork(() => res.end(`${intact}:${bytes}`));
          }
        });
      },
    });
    store.delay = 20;
    const size = 8 * 1024 * 1024 + 3;
    const post = await postLargeBody(url, '/upload', size, { cookie: `session=${'A'.repeat(43)}` });
    expect(post.body).toBe(`true:${size}`);
    post.close();
  });
});

describe('nodeSessions request bodies', () => {
  it('holds no more than its stream buffers of a body the handler never reads, and drops it', async () => {
    const MiB = 1024 * 1024;
    const store = new TestStore({ stableBytes: false });
    const sessions = nodeSessions(new SessionManager<Data>({ store }));
    let readInHandler = -1;
    server = await startNode(
      sessions.wrap((req, res) => {
        readInHandler = req.socket.bytesRead;
        res.end('ok');
      }),
    );
    store.delay = 400; // the body arrives while the session loads
    const size = 48 * MiB;
    const post = await postLargeBody(server.url, '/', size, { cookie: `session=${'A'.repeat(43)}` });
    expect(post.body).toBe('ok');
    expect(readInHandler).toBeLessThan(MiB);
    expect(post.acceptedAtAnswer).toBeLessThan(16 * MiB);
    expect(await post.finished).toBe(size); // node:http reads the rest and drops it
    post.close();
  });
});
