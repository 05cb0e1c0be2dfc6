// CPU time per request of sessionkit/uws handlers against a uWS-shaped in-process response (no
// sockets): bare handler, /get and /put, interleaved reps, median of per-rep differences to the bare
// handler. Each request runs in its own task (a microtask turn), 16 per event-loop turn, as uWS
// delivers them. STORE=memory (default), lmdb (shared: true) or lmdb-single (shared: false);
// ONLY=put or ONLY=get runs one of them (for a CPU profile).
// Usage: node --import tsx bench/micro/uws-cycle.ts [reps] [requests]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HttpRequest, HttpResponse } from 'uWebSockets.js';
import { LmdbStore } from '../../native-store/index.js';
import { uwsSessions } from '../../src/adapters/uws.js';
import { MemoryStore, SessionManager, type Store } from '../../src/index.js';

const reps = Number(process.argv[2] ?? 9);
const requests = Number(process.argv[3] ?? 200_000);
let written = 0;

/** What a uWS HttpResponse does with writes, minus the socket: counts the bytes handed over. */
class FakeResponse {
  writeStatus(status: string): this {
    written += status.length;
    return this;
  }
  writeHeader(key: string, value: string): this {
    written += key.length + value.length;
    return this;
  }
  write(chunk: string): boolean {
    written += chunk.length;
    return true;
  }
  end(body?: string): this {
    written += body === undefined ? 1 : body.length;
    return this;
  }
  cork(fn: () => void): this {
    fn();
    return this;
  }
  onAborted(): this {
    return this;
  }
}
class FakeRequest {
  constructor(readonly cookie: string) {}
  getHeader(name: string): string {
    return name === 'cookie' ? this.cookie : '';
  }
  forEach(visit: (key: string, value: string) => void): void {
    if (this.cookie !== '') visit('cookie', this.cookie);
  }
}

const dir = process.env.STORE?.startsWith('lmdb') ? mkdtempSync(join(tmpdir(), 'sessionkit-uws-cycle-')) : undefined;
const store: Store = dir === undefined ? new MemoryStore() : new LmdbStore({ path: dir, shared: process.env.STORE !== 'lmdb-single' });
const sessions = new SessionManager<{ message: string }>({ store });
const withSession = uwsSessions(sessions);
const routes = {
  bare: (res: HttpResponse, _req: HttpRequest) => void res.end(),
  get: withSession((res, _req, session) => {
    res.writeHeader('Content-Type', 'text/plain; charset=utf-8').end(session.getString('message'));
  }),
  put: withSession((res, _req, session) => {
    session.put('message', 'Hello from a session!');
    res.end();
  }),
};

// One session, made by a /put without a cookie, as the bench's load generator does.
let cookie = '';
const first = new FakeResponse();
first.writeHeader = function (key: string, value: string) {
  if (key.toLowerCase() === 'set-cookie') cookie = value.split(';')[0]!;
  return this;
};
routes.put(first as unknown as HttpResponse, new FakeRequest('') as unknown as HttpRequest);
await new Promise((resolve) => setTimeout(resolve, 50)); // an asynchronous store's commit
if (cookie === '') throw new Error('no Set-Cookie from the first /put');
const res = new FakeResponse() as unknown as HttpResponse;
const req = new FakeRequest(cookie) as unknown as HttpRequest;

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

async function run(route: (res: HttpResponse, req: HttpRequest) => void): Promise<number> {
  const start = process.cpuUsage();
  for (let i = 0; i < requests; i++) {
    route(res, req);
    await undefined;
    if ((i & 15) === 15) await turn();
  }
  const used = process.cpuUsage(start);
  return ((used.user + used.system) * 1000) / requests;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1] ?? Number.NaN;
const extra = { get: [] as number[], put: [] as number[] };
const bare: number[] = [];
for (let r = 0; r <= reps; r++) {
  const b = await run(routes.bare);
  const g = process.env.ONLY === 'put' ? 0 : await run(routes.get);
  const p = process.env.ONLY === 'get' ? 0 : await run(routes.put);
  if (r === 0) continue; // warm-up
  bare.push(b);
  extra.get.push(g - b);
  extra.put.push(p - b);
}
console.log(`bare    median ${median(bare).toFixed(0)} ns/request`);
for (const [name, xs] of Object.entries(extra)) {
  if (process.env.ONLY !== undefined && process.env.ONLY !== name) continue;
  console.log(`${name.padEnd(7)} median +${median(xs).toFixed(0)} ns/request over bare (min ${Math.min(...xs).toFixed(0)}, max ${Math.max(...xs).toFixed(0)})`);
}
if (written === 0) console.log('nothing written');
await new Promise((resolve) => setTimeout(resolve, 500)); // the last commits of an asynchronous store
await store.close?.();
if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
