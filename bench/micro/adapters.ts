// Per-request CPU time of each node adapter with and without sessionkit, in one process: every
// framework is driven through its own node:http entry with in-memory requests and responses (no
// socket), bare and with sessions interleaved, median of the reps. Run: node --import tsx bench/micro/adapters.ts [reps] [requests]
import { Socket } from 'node:net';
import { IncomingMessage, ServerResponse } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import { fastifySessions } from '../../src/adapters/fastify.js';
import { honoSessions } from '../../src/adapters/hono.js';
import { nodeSessions } from '../../src/adapters/node.js';
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

/** Sends one request through `listener`; resolves once the response ended. */
function send(listener: Listener, path: string, cookie: string | undefined): Promise<void> {
  const req = new IncomingMessage(socket);
  req.method = 'GET';
  req.url = path;
  req.headers = cookie === undefined ? { ...BROWSER_HEADERS } : { ...BROWSER_HEADERS, cookie };
  req.push(null);
  const res = new ServerResponse(req);
  return new Promise((resolve) => {
    const end = res.end;
    res.end = function ended(this: ServerResponse, ...args: unknown[]) {
      const result = (end as (...a: unknown[]) => ServerResponse).apply(this, args);
      resolve();
      return result;
    } as ServerResponse['end'];
    listener(req, res);
  });
}

const manager = new SessionManager<{ message: string }>();
const seed = await manager.load(undefined);
seed.put('message', MESSAGE);
const { token } = await manager.commit(seed);
const cookie = `${manager.cookie.name}=${token}`;
const session = (holder: unknown): SeedSession => holder as SeedSession;

function nodeListener(withSessions: boolean): Listener {
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    if (req.url === '/put') {
      if (withSessions) session(req.session).put('message', MESSAGE);
      res.end();
    } else {
      res.setHeader('Content-Type', 'text/plain; charset=utf-8');
      res.end(withSessions ? session(req.session).getString('message') : MESSAGE);
    }
  };
  return withSessions ? nodeSessions(manager).wrap(handler as never) : handler;
}

function expressListener(withSessions: boolean): Listener {
  const app = express();
  if (withSessions) app.use(nodeSessions(manager));
  app.get('/put', (req, res) => {
    if (withSessions) session(req.session).put('message', MESSAGE);
    res.end();
  });
  app.get('/get', (req, res) => {
    res.type('text').send(withSessions ? session(req.session).getString('message') : MESSAGE);
  });
  return app as unknown as Listener;
}

async function fastifyListener(withSessions: boolean): Promise<Listener> {
  const app = Fastify({ logger: false });
  if (withSessions) await app.register(fastifySessions, { manager });
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

function honoListener(withSessions: boolean): Listener {
  const app = new Hono();
  if (withSessions) app.use(honoSessions(manager));
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

/** CPU ns per request of `count` sequential requests. */
async function measure(listener: Listener, path: string, cookieHeader: string | undefined, count: number): Promise<number> {
  const start = process.cpuUsage();
  for (let i = 0; i < count; i++) await send(listener, path, cookieHeader);
  const used = process.cpuUsage(start);
  return ((used.user + used.system) * 1000) / count;
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};

const only = process.env.ADAPTERS?.split(',');
const adapters: [string, Listener, Listener][] = [];
for (const [name, make] of [
  ['node', nodeListener],
  ['express', expressListener],
  ['fastify', fastifyListener],
  ['hono', honoListener],
] as const) {
  if (only !== undefined && !only.includes(name)) continue;
  adapters.push([name, await make(false), await make(true)]);
}

console.log(`reps ${reps} x ${requests} requests; CPU ns/request, median (extra = with - bare, median of per-rep differences)`);
console.log('adapter  scenario  bare  sessions  extra  ratio');
for (const [name, bare, withSessions] of adapters) {
  for (const scenario of scenarios) {
    await measure(bare, scenario.path, scenario.cookie, requests / 4);
    await measure(withSessions, scenario.path, scenario.cookie, requests / 4);
    const bares: number[] = [];
    const withs: number[] = [];
    const extras: number[] = [];
    for (let rep = 0; rep < reps; rep++) {
      // ARM=sessions runs only the sessions side (for a CPU profile of it).
      const b = process.env.ARM === 'sessions' ? 0 : await measure(bare, scenario.path, scenario.cookie, requests);
      const w = await measure(withSessions, scenario.path, scenario.cookie, requests);
      bares.push(b);
      withs.push(w);
      extras.push(w - b);
    }
    const b = median(bares);
    const w = median(withs);
    console.log(
      `${name.padEnd(8)} ${scenario.id.padEnd(8)} ${b.toFixed(0).padStart(6)} ${w.toFixed(0).padStart(8)} ${median(extras).toFixed(0).padStart(6)}  ${(b / w).toFixed(2)}`,
    );
  }
}
