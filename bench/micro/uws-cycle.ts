// CPU time per request of sessionkit/uws handlers against a uWS-shaped in-process response (no
// sockets): bare handler, /get and /put, interleaved reps, median of per-rep differences to the bare
// handler. Each request runs in its own task (a microtask turn), 16 per event-loop turn, as uWS
// delivers them. STORE=memory (default), lmdb (shared: true) or lmdb-single (shared: false);
// ONLY=put or ONLY=get runs one of them (for a CPU profile). COMPARE_SRC=/path/to/other/checkout/src
// adds that checkout's /get and /put as interleaved arms (a before/after A/B in one process).
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
const makeStore = (memory: typeof MemoryStore): Store =>
  dir === undefined ? new memory() : new LmdbStore({ path: dir, shared: process.env.STORE !== 'lmdb-single' });

type Route = (res: HttpResponse, req: HttpRequest) => void;
interface Arms {
  get: Route;
  put: Route;
  req: HttpRequest;
  store: Store;
}

/** The /get and /put routes of one checkout's uWS adapter, and a request carrying the cookie of a session made by a /put. */
async function arms(uws: typeof import('../../src/adapters/uws.js'), index: typeof import('../../src/index.js')): Promise<Arms> {
  const store = makeStore(index.MemoryStore);
  const sessions = new index.SessionManager<{ message: string }>({ store });
  const withSession = uws.uwsSessions(sessions);
  const get = withSession((res, _req, session) => {
    res.writeHeader('Content-Type', 'text/plain; charset=utf-8').end(session.getString('message'));
  });
  const put = withSession((res, _req, session) => {
    session.put('message', 'Hello from a session!');
    res.end();
  });
  // One session, made by a /put without a cookie, as the bench's load generator does.
  let cookie = '';
  const first = new FakeResponse();
  first.writeHeader = function (key: string, value: string) {
    if (key.toLowerCase() === 'set-cookie') cookie = value.split(';')[0]!;
    return this;
  };
  put(first as unknown as HttpResponse, new FakeRequest('') as unknown as HttpRequest);
  await new Promise((resolve) => setTimeout(resolve, 50)); // an asynchronous store's commit
  if (cookie === '') throw new Error('no Set-Cookie from the first /put');
  return { get, put, req: new FakeRequest(cookie) as unknown as HttpRequest, store };
}

const ours = await arms({ uwsSessions }, { MemoryStore, SessionManager } as typeof import('../../src/index.js'));
const compareSrc = process.env.COMPARE_SRC;
const base =
  compareSrc === undefined || dir !== undefined
    ? undefined
    : await arms(await import(join(compareSrc, 'adapters/uws.ts')), await import(join(compareSrc, 'index.ts')));
const res = new FakeResponse() as unknown as HttpResponse;
const bareRoute: Route = (res) => void res.end();

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

async function run(route: Route, req: HttpRequest): Promise<number> {
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
const cases: [name: string, route: Route, req: HttpRequest][] = [];
if (process.env.ONLY !== 'put') cases.push(['get', ours.get, ours.req]);
if (process.env.ONLY !== 'get') cases.push(['put', ours.put, ours.req]);
if (base !== undefined) {
  if (process.env.ONLY !== 'put') cases.push(['get-base', base.get, base.req]);
  if (process.env.ONLY !== 'get') cases.push(['put-base', base.put, base.req]);
}
const extra = new Map<string, number[]>(cases.map(([name]) => [name, []]));
const bare: number[] = [];
for (let r = 0; r <= reps; r++) {
  const b = await run(bareRoute, ours.req);
  // Every other rep runs the cases in reverse order, so that no arm always runs right after another.
  const times: number[] = [];
  const order = cases.map((_, i) => (r % 2 === 0 ? i : cases.length - 1 - i));
  for (const i of order) times[i] = await run(cases[i]![1], cases[i]![2]);
  if (r === 0) continue; // warm-up
  bare.push(b);
  cases.forEach(([name], i) => extra.get(name)!.push(times[i]! - b));
}
console.log(`bare    median ${median(bare).toFixed(0)} ns/request`);
for (const [name, xs] of extra) {
  console.log(`${name.padEnd(8)} median +${median(xs).toFixed(0)} ns/request over bare (min ${Math.min(...xs).toFixed(0)}, max ${Math.max(...xs).toFixed(0)})`);
}
if (written === 0) console.log('nothing written');
await new Promise((resolve) => setTimeout(resolve, 500)); // the last commits of an asynchronous store
await ours.store.close?.();
await base?.store.close?.();
if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
