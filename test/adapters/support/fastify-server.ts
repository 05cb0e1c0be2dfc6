// Starts Fastify on an ephemeral port with sessionkit/fastify, and mounts the shared `routes` on it.
import Fastify, { type FastifyInstance } from 'fastify';
import type { SessionManager } from '../../../src/manager.js';
import type { Session } from '../../../src/index.js';
import { fastifySessions, type FastifySessionsOptions } from '../../../src/adapters/fastify.js';
import { routes, type AppData } from './app.js';
import type { Running } from './servers.js';

/** A Fastify app on 127.0.0.1:0; `setup` registers plugins and routes. */
export async function startFastify(setup: (app: FastifyInstance) => void | Promise<void>): Promise<Running> {
  const app = Fastify({ logger: false, forceCloseConnections: true });
  await setup(app);
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return { url: url.replace('localhost', '127.0.0.1'), close: () => app.close() };
}

/** Serves `routes` through sessionkit/fastify (the shape of `serve` in app.ts). */
export function serveFastify(manager: SessionManager<AppData>, options: Omit<FastifySessionsOptions, 'manager'> = {}): Promise<Running> {
  return startFastify(async (app) => {
    await app.register(fastifySessions, { manager, ...options });
    for (const [path, route] of Object.entries(routes)) {
      app.get(path, async (request, reply) => {
        const query = new URLSearchParams(request.url.split('?')[1] ?? '');
        const body = await route(request.session as unknown as Session<AppData>, query);
        return reply.type('text/plain').send(body);
      });
    }
  });
}
