// A child process that stores many large sessions and reports its memory: run with --expose-gc.
// Usage: node --expose-gc --import tsx test/memory/bound-child.ts <manager|uws|lmdb> <count> <valueBytes> <maxBytes> [decodeCacheBytes]
// Prints one line: {"rss":…, "peakRss":…, "heap":…, "external":…, "storeBytes":…} (bytes, RSS after a full GC).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import uWS from 'uWebSockets.js';
import { LmdbStore } from '../../native-store/index.js';
import { uwsSessions } from '../../src/adapters/uws.js';
import { MemoryStore, SessionManager, type Store } from '../../src/index.js';

const [scenario = 'manager', countText = '1500', sizeText = '524288', maxBytesText = '67108864', cacheText] = process.argv.slice(2);
const count = Number(countText);
const size = Number(sizeText);
const maxBytes = Number(maxBytesText);
const decodeCacheBytes = cacheText === undefined ? undefined : Number(cacheText);
const gc = (globalThis as { gc?: () => void }).gc!;

type Data = { blob: string; n: number };

function managerOn(store: Store): SessionManager<Data> {
  const options: Record<string, unknown> = { store };
  if (decodeCacheBytes !== undefined) options.decodeCacheBytes = decodeCacheBytes;
  return new SessionManager<Data>(options);
}

/** A fresh string of `size` one-byte characters, as a decoded request body would be. */
function requestSizedValue(i: number): string {
  return Buffer.alloc(size, 97 + (i % 26)).toString('latin1');
}

/** Stores `count` sessions through the manager, then reads every one back once. */
async function throughManager(store: Store): Promise<SessionManager<Data>> {
  const manager = managerOn(store);
  const tokens: string[] = [];
  for (let i = 0; i < count; i++) {
    const session = await manager.load(undefined);
    session.put('blob', requestSizedValue(i));
    await manager.commit(session);
    tokens.push(session.token);
  }
  for (const token of tokens) await manager.load(token);
  return manager;
}

/** `count` anonymous requests to a uWS route that stores the request body in the session. */
async function throughUws(): Promise<SessionManager<Data>> {
  const manager = managerOn(new MemoryStore({ maxBytes }));
  const withSession = uwsSessions(manager);
  const app = uWS.App();
  app.post(
    '/keep',
    withSession((res, _req, session) => {
      const parts: Buffer[] = [];
      res.onAborted(() => {});
      res.onData((chunk, isLast) => {
        parts.push(Buffer.from(chunk.slice(0)));
        if (!isLast) return;
        session.put('blob', Buffer.concat(parts).toString('latin1'));
        res.cork(() => res.end('kept'));
      });
    }),
  );
  const listen = await new Promise<uWS.us_listen_socket>((resolve, reject) =>
    app.listen('127.0.0.1', 0, (socket) => (socket === false ? reject(new Error('uWS could not listen')) : resolve(socket))),
  );
  const url = `http://127.0.0.1:${uWS.us_socket_local_port(listen)}/keep`;
  for (let i = 0; i < count; i++) {
    const response = await fetch(url, { method: 'POST', body: Buffer.alloc(size, 97 + (i % 26)) });
    if (response.status !== 200) throw new Error(`request ${i} answered ${response.status}`);
    await response.text();
  }
  uWS.us_listen_socket_close(listen);
  return manager;
}

/** Resident anonymous memory (heap, buffers, malloc): RSS without the pages of mapped files, such as LMDB's. */
function anonymousRss(): number {
  const line = readFileSync('/proc/self/status', 'utf8').match(/^RssAnon:\s+(\d+) kB/m);
  return line === null ? process.memoryUsage().rss : Number(line[1]) * 1024;
}

let storeBytes = 0;
let directory: string | undefined;
let store: Store | undefined;
let manager: SessionManager<Data>;
if (scenario === 'uws') {
  manager = await throughUws();
} else if (scenario === 'lmdb') {
  directory = mkdtempSync(join(tmpdir(), 'sessionkit-bound-'));
  store = new LmdbStore({ path: directory, cacheMaxBytes: maxBytes });
  manager = await throughManager(store);
} else {
  const memory = new MemoryStore({ maxBytes });
  store = memory;
  manager = await throughManager(memory);
  storeBytes = memory.bytes;
}
for (let i = 0; i < 3; i++) {
  gc();
  await new Promise((resolve) => setImmediate(resolve));
}
const usage = process.memoryUsage();
const anonymous = anonymousRss();
// Both stay reachable until measured: what they hold is what is measured.
await manager.load(undefined);
await store?.close?.();
if (directory !== undefined) rmSync(directory, { recursive: true, force: true });
const peakRss = process.resourceUsage().maxRSS * 1024;
process.stdout.write(`${JSON.stringify({ rss: usage.rss, anonymous, peakRss, heap: usage.heapUsed, external: usage.external, storeBytes })}\n`);
process.exit(0);
