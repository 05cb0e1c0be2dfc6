// Types through the adapters: a SessionManager<Data> types the session a uWS or node handler receives.
import type { IncomingMessage } from 'node:http';
import express from 'express';
import { describe, expectTypeOf, it } from 'vitest';
import { SessionManager, type Session } from '../../src/index.js';
import { nodeSessions, type SessionRequest } from '../../src/adapters/node.js';
import { uwsSessions, type SessionHttpResponse, type SessionUserData } from '../../src/adapters/uws.js';

interface AppData {
  userId: number;
}

const manager = new SessionManager<AppData>();

describe('adapter types', () => {
  it('uws handlers get Session<Data>', () => {
    const withSession = uwsSessions(manager);
    withSession((res, _req, session) => {
      expectTypeOf(res).toEqualTypeOf<SessionHttpResponse>();
      expectTypeOf(res.aborted).toEqualTypeOf<boolean>();
      expectTypeOf(session).toEqualTypeOf<Session<AppData>>();
      expectTypeOf(session.get('userId')).toEqualTypeOf<number | undefined>();
      session.put('userId', 1);
      // @ts-expect-error userId is a number
      session.put('userId', 'x');
      // @ts-expect-error unknown key
      session.get('nope');
      res.end();
    });
    withSession(async (res) => {
      res.end();
    });
  });

  it('uws upgrade user data carries the typed session', () => {
    const withSession = uwsSessions(manager);
    expectTypeOf(withSession.upgrade((req) => ({ url: req.getUrl() }))).toBeFunction();
    expectTypeOf<SessionUserData<AppData, { url: string }>['session']>().toEqualTypeOf<Session<AppData>>();
    expectTypeOf<SessionUserData<AppData, { url: string }>['url']>().toEqualTypeOf<string>();
  });

  it('node wrap handlers get req.session as Session<Data>', () => {
    const sessions = nodeSessions(manager);
    sessions.wrap((req, res) => {
      expectTypeOf(req).toEqualTypeOf<SessionRequest<AppData>>();
      expectTypeOf(req.session.get('userId')).toEqualTypeOf<number | undefined>();
      // @ts-expect-error userId is a number
      req.session.put('userId', 'x');
      res.end();
    });
  });

  it('augments IncomingMessage and the Express Request with session', () => {
    expectTypeOf<IncomingMessage['session']>().toEqualTypeOf<Session>();
    const app = express();
    app.use(nodeSessions(manager));
    app.get('/', (req, res) => {
      expectTypeOf(req.session).toEqualTypeOf<Session>();
      res.send(req.session.getString('message'));
    });
  });

  it('rejects bad option types', () => {
    // @ts-expect-error tokenHeader is a string
    uwsSessions(manager, { tokenHeader: 1 });
    // @ts-expect-error onError is a function
    nodeSessions(manager, { onError: 'log' });
  });
});
