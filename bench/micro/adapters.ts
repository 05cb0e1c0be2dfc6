// Per-request CPU time of each node adapter with and without sessionkit, in one process: every
// framework is driven through its own node:http entry with in-memory requests and responses (no
// socket), bare and with sessions interleaved, median of the reps. Run: node --import tsx bench/micro/adapters.ts [reps] [requests]
// COMPARE_SRC=/path/to/other/checkout/src adds that checkout's adapters as a third arm, interleaved (a before/after A/B).
// ADAPTERS=node,express,fastify,hono,hono-mw,express-mw and SCENARIOS=get,put,put-new pick rows.
import { Socket } from 'node:net';
import { PerformanceObserver } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';
import { IncomingMessage, ServerResponse } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import * as fastifyAdapter from '../../src/adapters/fastify.js';
import * as honoAdapter from '../../src/adapters/hono.js';
import * as nodeAdapter from '../../src/adapters/node.js';
import { SessionManager } from '../../src/index.js';

type Listener = (req: IncomingMessage, res: ServerResponse) => unknown;
interface SeedSession {
  put(key: 'message', value: string): void;
  getString(key: 'message'): string;
}
const MESSAGE = 'Hello from a session!';
const reps = Number(process.argv[2] ?? 7);
const requests = Number(process.argv[3] ?? 20_000);
const socket = new Socket();
/** What a browser sends besides the cookie. */
const BROWSER_HEADERS = {
  host: 'localhost',
  'user-agent': 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0',
  accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
  'accept-language': 'en-US,en;q=0.5',
  'accept-encoding': 'gzip, deflate, br, zstd',
  connection: 'keep-alive',
  'upgrade-insecure-requests': '1',
  'sec-fetch-dest': 'document',
};

/** Resolves the request in flight (requests run one at a time) once its response ended. */
let responseEnded: (() => void) | undefined;
// Watched on the prototype, not with an own `end` on each response: an own property would change
// what the adapters see (Express's responses take hooks through their prototype chain only
// when they have no own writeHead/write/end/flushHeaders).
const nodeEnd = ServerResponse.prototype.end as (...args: unknown[]) => ServerResponse;
ServerResponse.prototype.end = function ended(this: ServerResponse, ...args: unknown[]) {
  const result = nodeEnd.apply(this, args);
  const resolve = responseEnded;
  responseEnded = undefined;
  // Resolving on the tick queue lets process.nextTick callbacks (stream ends, Express's
  // cleanup) run between requests, as they do between a server's requests; resolving
  // directly chains every request into one microtask run that nextTick callbacks never
  // interrupt, so they and the requests they hold pile up (Express ran out of heap).
  if (resolve !== undefined) process.nextTick(resolve);
  return result;
} as ServerResponse['end'];

/** Sends one request through `listener`; resolves once the response ended. */
function send(listener: Listener, path: string, cookie: string | undefined): Promise<void> {
  const req = new IncomingMessage(socket);
  req.method = 'GET';
  req.url = path;
  req.headers = cookie === undefined ? { ...BROWSER_HEADERS } : { ...BROWSER_HEADERS, cookie };
  req.push(null);
  const res = new ServerResponse(req);
  return new Promise((resolve) => {
    responseEnded = resolve;
    listener(req, res);
  });
}

const manager = new SessionManager<{ message: string }>();
const seed = await manager.load(undefined);
seed.put('message', MESSAGE);
const { token } = await manager.commit(seed);
const cookie = `${manager.cookie.name}=${token}`;
const session = (holder: unknown): SeedSession => holder as SeedSession;

interface Adapters {
  node: typeof nodeAdapter;
  fastify: typeof fastifyAdapter;
  hono: typeof honoAdapter;
}

function nodeListener(withSessions: boolean, { node }: Adapters): Listener {
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    if (req.url === '/put') {
      if (withSessions) session(req.session).put('message', MESSAGE);
      res.end();
    } else {
      res.setHeader('Content-Type', 'text/plain; charset=utf-8');
      res.end(withSessions ? session(req.session).getString('message') : MESSAGE);
    }
  };
  return withSessions ? node.nodeSessions(manager).wrap(handler as never) : handler;
}

/** Express with, as the bare side, an empty middleware: the cost of any middleware at all on Express. */
function expressMiddlewareListener(withSessions: boolean, adapters: Adapters): Listener {
  return expressListener(withSessions, adapters, true);
}

function expressListener(withSessions: boolean, { node }: Adapters, emptyMiddleware = false): Listener {
  const app = express();
  if (withSessions) app.use(node.nodeSessions(manager));
  else if (emptyMiddleware) app.use((_req, _res, next) => next());
  app.get('/put', (req, res) => {
    if (withSessions) session(req.session).put('message', MESSAGE);
    res.end();
  });
  app.get('/get', (req, res) => {
    res.type('text').send(withSessions ? session(req.session).getString('message') : MESSAGE);
  });
  return app as unknown as Listener;
}

async function fastifyListener(withSessions: boolean, { fastify }: Adapters): Promise<Listener> {
  const app = Fastify({ logger: false });
  if (withSessions) await app.register(fastify.fastifySessions, { manager });
  app.get('/put', async (request, reply) => {
    if (withSessions) session((request as unknown as { session: unknown }).session).put('message', MESSAGE);
    return reply.send('');
  });
  app.get('/get', async (request, reply) =>
    reply.type('text/plain; charset=utf-8').send(withSessions ? session((request as unknown as { session: unknown }).session).getString('message') : MESSAGE),
  );
  await app.ready();
  return app.routing as unknown as Listener;
}

/** Hono with, as the bare side, an empty middleware: the cost of any middleware at all on Hono. */
function honoMiddlewareListener(withSessions: boolean, adapters: Adapters): Listener {
  return honoListener(withSessions, adapters, true);
}

function honoListener(withSessions: boolean, { hono }: Adapters, emptyMiddleware = false): Listener {
  const app = new Hono();
  if (withSessions) app.use(hono.honoSessions(manager));
  else if (emptyMiddleware) app.use((_c, next) => next());
  app.get('/put', (c) => {
    if (withSessions) session(c.get('session' as never)).put('message', MESSAGE);
    return c.body(null);
  });
  app.get('/get', (c) => c.text(withSessions ? session(c.get('session' as never)).getString('message') : MESSAGE));
  return getRequestListener(app.fetch) as unknown as Listener;
}

const scenarios = [
  { id: 'get', path: '/get', cookie },
  { id: 'put', path: '/put', cookie },
  { id: 'put-new', path: '/put', cookie: undefined },
] as const;

let gcs = 0;
new PerformanceObserver((list) => (gcs += list.getEntries().length)).observe({ entryTypes: ['gc'] });
// ALLOC=1 measures heap bytes allocated per request instead of CPU time (run with
// --max-semi-space-size=128 so that no GC runs inside a rep; a rep with a GC reports NaN).
const allocation = process.env.ALLOC === '1';

/** CPU ns (or with ALLOC=1 heap bytes) per request of `count` sequential requests. */
async function measure(listener: Listener, path: string, cookieHeader: string | undefined, count: number): Promise<number> {
  if (allocation) {
    const gcsBefore = gcs;
    const before = getHeapStatistics().used_heap_size;
    for (let i = 0; i < count; i++) await send(listener, path, cookieHeader);
    const bytes = (getHeapStatistics().used_heap_size - before) / count;
    await new Promise((resolve) => setImmediate(resolve)); // lets the GC observer report
    return gcs === gcsBefore && bytes > 0 ? bytes : Number.NaN;
  }
  const start = process.cpuUsage();
  for (let i = 0; i < count; i++) await send(listener, path, cookieHeader);
  const used = process.cpuUsage(start);
  return ((used.user + used.system) * 1000) / count;
}

/** The median of the figures a GC did not spoil (NaN when every one was). */
const median = (values: number[]): number => {
  const sorted = values.filter((value) => Number.isFinite(value)).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.floor(sorted.length / 2)]!;
};

const ours: Adapters = { node: nodeAdapter, fastify: fastifyAdapter, hono: honoAdapter };
const compareSrc = process.env.COMPARE_SRC;
const theirs: Adapters | undefined =
  compareSrc === undefined
    ? undefined
    : {
        node: await import(`${compareSrc}/adapters/node.ts`),
        fastify: await import(`${compareSrc}/adapters/fastify.ts`),
        hono: await import(`${compareSrc}/adapters/hono.ts`),
      };

const only = process.env.ADAPTERS?.split(',');
const onlyScenarios = process.env.SCENARIOS?.split(',');
const adapters: [string, Listener, Listener, Listener | undefined][] = [];
for (const [name, make] of [
  ['node', nodeListener],
  ['express', expressListener],
  ['express-mw', expressMiddlewareListener],
  ['fastify', fastifyListener],
  ['hono', honoListener],
  ['hono-mw', honoMiddlewareListener],
] as const) {
  if (only !== undefined && !only.includes(name)) continue;
  adapters.push([name, await make(false, ours), await make(true, ours), theirs && (await make(true, theirs))]);
}

console.log(`reps ${reps} x ${requests} requests; ${allocation ? 'heap bytes' : 'CPU ns'}/request, medians; extra = median of per-rep (sessions - bare)`);
console.log(`adapter     scenario    bare  sessions   extra  ratio${theirs ? '  | compared: extra  ratio' : ''}`);
for (const [name, bare, withSessions, compared] of adapters) {
  for (const scenario of scenarios) {
    if (onlyScenarios !== undefined && !onlyScenarios.includes(scenario.id)) continue;
    const arms = compared === undefined ? [bare, withSessions] : [bare, withSessions, compared];
    for (const arm of arms) await measure(arm, scenario.path, scenario.cookie, requests / 4);
    const times: number[][] = arms.map(() => []);
    for (let rep = 0; rep < reps; rep++) {
      for (const [i, arm] of arms.entries()) {
        // ARM=sessions runs only the sessions side (for a CPU profile of it).
        if (i === 0 && process.env.ARM === 'sessions') times[0]!.push(0);
        else times[i]!.push(await measure(arm, scenario.path, scenario.cookie, requests));
      }
    }
    const b = median(times[0]!);
    const columns = times.slice(1).map((arm) => {
      const extra = median(arm.map((t, rep) => t - times[0]![rep]!));
      return `${extra.toFixed(0).padStart(7)}  ${(b / median(arm)).toFixed(2)}`;
    });
    console.log(
      `${name.padEnd(11)} ${scenario.id.padEnd(8)} ${b.toFixed(0).padStart(7)} ${median(times[1]!).toFixed(0).padStart(9)} ${columns.join('  |          ')}`,
    );
  }
}
