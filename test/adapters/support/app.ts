// The framework-neutral session app that every adapter entry in servers.ts serves, and the shared suite's options.
import type { Session } from '../../../src/index.js';
import { sleep } from '../../support/time.js';

export interface AppData {
  message: string;
}

/** What a route answers: a text body, or a status, header lines (each added in order) and a text body. */
export type Reply = string | { status?: number; headers?: [string, string][]; body: string };

/** A route: gets the request's session and query; may throw or reject (a failing handler). */
export type Route = (session: Session<AppData>, query: URLSearchParams) => Reply | Promise<Reply>;

/** A framework-neutral `onError` for the shared suite: what to answer, now or later; undefined answers nothing. */
export type TestOnError = (error: unknown) => Reply | undefined | Promise<Reply | undefined>;

/** Adapter options the shared suite uses; each entry translates them to its adapter's own. */
export interface TestOptions {
  tokenHeader?: string;
  onError?: TestOnError;
}

/** Handlers of `/hold-then-reject`, each waiting until the test releases it. */
export class HeldHandlers {
  #held: (() => void)[] = [];
  #arrivals: (() => void)[] = [];

  /** Resolves once a handler is waiting. */
  arrival(): Promise<void> {
    return new Promise((resolve) => this.#arrivals.push(resolve));
  }

  /** Called by a handler: resolves when the test releases it. */
  hold(): Promise<void> {
    for (const arrived of this.#arrivals.splice(0)) arrived();
    return new Promise((resolve) => this.#held.push(resolve));
  }

  /** Lets every waiting handler go on. */
  releaseAll(): void {
    for (const release of this.#held.splice(0)) release();
  }
}

export const heldHandlers = new HeldHandlers();

export const routes: Record<string, Route> = {
  '/put': (session, query) => {
    session.put('message', query.get('v') ?? 'Hello from a session!');
    return 'ok';
  },
  '/get': (session) => session.getString('message'),
  '/token': (session) => session.token,
  '/destroy': async (session) => {
    await session.destroy();
    return 'destroyed';
  },
  '/renew': async (session) => {
    await session.renewToken();
    return 'renewed';
  },
  '/remember': (session) => {
    session.rememberMe(true);
    return 'remembered';
  },
  // A handler that fails after changing the session: it must commit nothing.
  '/throw': (session) => {
    session.put('message', 'from a handler that threw');
    throw new Error('handler failed');
  },
  '/reject': async (session) => {
    session.put('message', 'from a handler that rejected');
    await sleep(2);
    throw new Error('handler failed later');
  },
  // A handler still pending when its client leaves, which then fails: it must commit nothing.
  '/hold-then-reject': async (session) => {
    session.put('message', 'from a handler that rejected after its client left');
    await heldHandlers.hold();
    throw new Error('handler failed after its client left');
  },
  // A 5xx answer after changing the session: it must commit nothing.
  '/unavailable': (session) => {
    session.put('message', 'from a 503');
    return { status: 503, body: 'unavailable' };
  },
  // The handler's own Vary, Set-Cookie and Cache-Control: the session's are added, never replace them.
  '/own-headers': (session) => {
    session.put('message', 'with own headers');
    return {
      headers: [
        ['Vary', 'Accept-Encoding'],
        ['Set-Cookie', 'theme=dark'],
        ['Cache-Control', 'private'],
      ],
      body: 'own',
    };
  },
  // The handler already lists what the session adds (header names in lower case): nothing is repeated.
  '/own-vary': (session) => {
    session.put('message', 'with own vary');
    return {
      headers: [
        ['vary', 'Accept-Encoding, cookie'],
        ['cache-control', 'no-cache="Set-Cookie"'],
      ],
      body: 'own vary',
    };
  },
};

/** The reply's parts with defaults. */
export function replyParts(reply: Reply): { status: number; headers: [string, string][]; body: string } {
  if (typeof reply === 'string') return { status: 200, headers: [], body: reply };
  return { status: reply.status ?? 200, headers: reply.headers ?? [], body: reply.body };
}

/** The reason phrase uWS needs in its status line. */
export function statusLine(status: number): string {
  const reasons: Record<number, string> = { 200: 'OK', 404: 'Not Found', 500: 'Internal Server Error', 503: 'Service Unavailable' };
  return `${status} ${reasons[status] ?? 'Status'}`;
}

/**
 * An adapter's `(error, req, res)` onError for a TestOnError: sends its reply with `send`, and
 * returns the promise when it answers later.
 */
export function translateOnError<Res>(onError: TestOnError | undefined, send: (res: Res, reply: Reply) => void) {
  if (onError === undefined) return undefined;
  return (error: unknown, _req: unknown, res: Res): void | Promise<void> => {
    const reply = onError(error);
    if (reply instanceof Promise) return reply.then((answer) => void (answer !== undefined && send(res, answer)));
    if (reply !== undefined) send(res, reply);
  };
}
