// Starts Fastify on an ephemeral port with sessionkit/fastify, and serves the shared `routes` on it (the shared suite's fastify entry).
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import type { SessionManager } from '../../../src/manager.js';
import type { Session } from '../../../src/index.js';
import { fastifySessions } from '../../../src/adapters/fastify.js';
import { replyParts, routes, translateOnError, type AppData, type Reply, type TestOptions } from './app.js';
import type { Running } from './servers.js';

/** A Fastify app on 127.0.0.1:0; `setup` registers plugins and routes. */
export async function startFastify(setup: (app: FastifyInstance) => void | Promise<void>): Promise<Running> {
  const app = Fastify({ logger: false, forceCloseConnections: true });
  await setup(app);
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return { url: url.replace('localhost', '127.0.0.1'), close: () => app.close() };
}

function send(reply: FastifyReply, answer: Reply): FastifyReply {
  const { status, headers, body } = replyParts(answer);
  reply.code(status);
  for (const [name, value] of headers) {
    // Fastify adds a second Set-Cookie as its own line but replaces other headers: add list members by hand.
    const existing = reply.getHeader(name);
    reply.header(name, existing === undefined || name.toLowerCase() === 'set-cookie' ? value : `${String(existing)}, ${value}`);
  }
  return reply.type('text/plain').send(body);
}

/** Serves `routes` through sessionkit/fastify; a failing route reaches Fastify's error handler. */
export function serveFastify(manager: SessionManager<AppData>, options: TestOptions = {}): Promise<Running> {
  return startFastify(async (app) => {
    await app.register(fastifySessions, { manager, tokenHeader: options.tokenHeader, onError: translateOnError(options.onError, send) });
    for (const [path, route] of Object.entries(routes)) {
      app.get(path, async (request, reply) => {
        const query = new URLSearchParams(request.url.split('?')[1] ?? '');
        return send(reply, await route(request.session as unknown as Session<AppData>, query));
      });
    }
  });
}
