// Types through the Fastify and Hono adapters: request.session, c.get('session'), options.
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import { Hono, type Context } from 'hono';
import { describe, expectTypeOf, it } from 'vitest';
import { SessionManager, type Session, type SessionData } from '../../src/index.js';
import { fastifySessions, type FastifySessionData } from '../../src/adapters/fastify.js';
import { honoSessions, type SessionEnv, type SessionVariables } from '../../src/adapters/hono.js';

interface AppData {
  userId: number;
}

const manager = new SessionManager<AppData>();

describe('fastify types', () => {
  it('request.session is Session<FastifySessionData> (any record until declared)', async () => {
    expectTypeOf<FastifySessionData>().toEqualTypeOf<SessionData>();
    expectTypeOf<FastifyRequest['session']>().toEqualTypeOf<Session<SessionData>>();
    const app = Fastify();
    await app.register(fastifySessions, { manager });
    await app.register(fastifySessions, { manager: new SessionManager() });
    app.get('/', (request) => {
      expectTypeOf(request.session.getString('message')).toEqualTypeOf<string>();
      return request.session.token;
    });
  });

  it('types the options', async () => {
    const app = Fastify();
    await app.register(fastifySessions, {
      manager,
      tokenHeader: 'X-Session-Token',
      onError: async (error, request, reply) => {
        expectTypeOf(error).toEqualTypeOf<unknown>();
        expectTypeOf(request).toEqualTypeOf<FastifyRequest>();
        expectTypeOf(reply).toEqualTypeOf<FastifyReply>();
        await reply.code(503).send('down');
      },
    });
    // @ts-expect-error the manager is required
    await app.register(fastifySessions, {});
    // @ts-expect-error tokenHeader is a string
    await app.register(fastifySessions, { manager, tokenHeader: 1 });
  });
});

describe('hono types', () => {
  it('c.get("session") is Session<Data> through app.use', () => {
    new Hono().use(honoSessions(manager)).get('/', (c) => {
      expectTypeOf(c.get('session')).toEqualTypeOf<Session<AppData>>();
      expectTypeOf(c.get('session').get('userId')).toEqualTypeOf<number | undefined>();
      // @ts-expect-error userId is a number
      c.get('session').put('userId', 'x');
      return c.text('ok');
    });
  });

  it('SessionEnv and SessionVariables type a Hono app', () => {
    const app = new Hono<SessionEnv<AppData>>();
    app.use(honoSessions(manager));
    app.get('/', (c) => c.text(String(c.get('session').get('userId'))));
    const other = new Hono<{ Variables: SessionVariables<AppData> & { requestId: string } }>();
    other.use(honoSessions(manager));
    other.get('/', (c) => {
      expectTypeOf(c.get('session')).toEqualTypeOf<Session<AppData>>();
      expectTypeOf(c.get('requestId')).toEqualTypeOf<string>();
      return c.text('ok');
    });
  });

  it('onError returns the Response to send', () => {
    honoSessions(manager, {
      onError: (error, c) => {
        expectTypeOf(error).toEqualTypeOf<unknown>();
        expectTypeOf(c).toEqualTypeOf<Context>();
        return c.text('down', 503);
      },
    });
    honoSessions(manager, { onError: async () => new Response('down', { status: 503 }) });
    // @ts-expect-error onError must return a Response
    honoSessions(manager, { onError: () => 'down' });
  });
});
