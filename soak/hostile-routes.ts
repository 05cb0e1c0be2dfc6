// The soak server's routes for hostile clients: request-sized session values, same-tick commit storms, concurrent logins.
import type { TemplatedApp } from 'uWebSockets.js';
import { SessionManager, type Store } from '../src/index.js';
import type { SessionHttpResponse, UwsSessionOptions, WithSession } from '../src/adapters/uws.js';
import { uwsSessions } from '../src/adapters/uws.js';
import { LOGIN_CAPS, MAX_BLOB_BYTES, STORM_WAIT } from './protocol.js';

type Values = Record<string, unknown>;

/** The requests of one storm: each waits for the last to arrive, then all commit in the same tick. */
interface Gate {
  expected: number;
  arrived: number;
  open: Promise<void>;
  release(): void;
}

const gates = new Map<string, Gate>();

function gate(name: string, expected: number): Gate {
  let entry = gates.get(name);
  if (entry === undefined) {
    let release!: () => void;
    const open = new Promise<void>((resolve) => (release = resolve));
    entry = { expected, arrived: 0, open, release };
    gates.set(name, entry);
    // A storm whose requests never all arrive (some failed on the way) still ends.
    setTimeout(() => entry!.release(), STORM_WAIT).unref();
    void open.then(() => gates.delete(name));
  }
  return entry;
}

/** Reads the whole body, refusing one over `limit` bytes; resolves undefined when the client went away or sent too much. */
function readBody(res: SessionHttpResponse, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    res.onAborted(() => resolve(undefined));
    res.onData((chunk, isLast) => {
      size += chunk.byteLength;
      if (size > limit) {
        resolve(undefined);
        return;
      }
      chunks.push(Buffer.from(chunk.slice(0))); // uWS reuses the chunk's memory once this returns
      if (isLast) resolve(Buffer.concat(chunks));
    });
  });
}

function whole(text: string): number | undefined {
  const n = Number(text);
  return text !== '' && Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

/** Adds the hostile routes to `app`: `withSession` is the counter routes' manager; the login routes get one manager per cap, with `options`. */
export function hostileRoutes(app: TemplatedApp, store: Store, withSession: WithSession<Values>, options: UwsSessionOptions): void {
  app.put(
    '/blob',
    withSession(async (res, _req, session) => {
      const body = await readBody(res, MAX_BLOB_BYTES);
      if (res.aborted) return;
      if (body === undefined) {
        res.writeStatus('413 Payload Too Large').end();
        return;
      }
      session.put('blob', body.toString('latin1'));
      res.end('ok');
    }),
  );

  app.post(
    '/storm',
    withSession(async (res, req, session) => {
      const round = req.getQuery('round') ?? '';
      const key = whole(req.getQuery('k') ?? '');
      const expected = whole(req.getQuery('n') ?? '');
      if (round === '' || key === undefined || expected === undefined) {
        res.writeStatus('400 Bad Request').end();
        return;
      }
      const entry = gate(round, expected);
      if (++entry.arrived >= entry.expected) entry.release();
      await entry.open;
      session.put(`k${key}`, key);
      res.end('ok');
    }),
  );

  app.get(
    '/storm',
    withSession((res, _req, session) => {
      const keys = session.keys().filter((key) => key.startsWith('k'));
      res.end(String(keys.length));
    }),
  );

  for (const cap of LOGIN_CAPS) {
    const capped = new SessionManager<Values>({ store, lifetime: 60 * 60 * 1000, maxSessionsPerUser: cap });
    const withCapped = uwsSessions(capped, options);
    app.post(
      `/login/${cap}`,
      withCapped(async (res, req, session) => {
        const user = req.getQuery('user') ?? '';
        if (user === '') {
          res.writeStatus('400 Bad Request').end();
          return;
        }
        await session.login(`soak-${user}`);
        if (!res.aborted) res.end('ok');
      }),
    );
    app.get(`/login/${cap}`, (res, req) => {
      const user = req.getQuery('user') ?? '';
      let aborted = false;
      res.onAborted(() => (aborted = true));
      const answer = (status: string, body: string) => aborted || res.cork(() => res.writeStatus(status).end(body));
      capped.listSessions(`soak-${user}`).then(
        (listed) => answer('200 OK', String(listed.length)),
        () => answer('500 Internal Server Error', ''),
      );
    });
  }
}
