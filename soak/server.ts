// The soak's server: the uWS example with a store chosen by environment, run as a child process that reports over IPC.
import uWS from 'uWebSockets.js';
import { MemoryStore, SessionManager, type Store } from '../src/index.js';
import { uwsSessions, type SessionHttpResponse } from '../src/adapters/uws.js';
import { hostileRoutes } from './hostile-routes.js';
import { anonymousRss } from './memory.js';
import { ASSUMED_DECODE_CACHE_BYTES, describeError, type MemoryBound, STORE_TIMEOUT, type ServerMessage, type StoreKind } from './protocol.js';

const kind = process.env.SOAK_STORE as StoreKind | undefined;
const hostile = process.env.SOAK_HOSTILE === '1';
/** LmdbStore's LRU tier bound in the soak (its default): part of the server's memory bound. */
const LMDB_CACHE_BYTES = 64 * 1024 * 1024;
/** How often the server reports its RSS (ms): often enough to see a short peak. */
const RSS_EVERY = 100;
const baseline = process.getActiveResourcesInfo();
const errors = new Map<string, number>();

function send(message: ServerMessage): void {
  process.send?.(message);
}

/** A store, the session bytes it keeps in this process, and how to release what it holds (driver clients the store does not own). */
interface OpenedStore {
  store: Store;
  heldBytes: number;
  release(): Promise<void>;
}

async function openStore(): Promise<OpenedStore> {
  switch (kind) {
    case 'memory': {
      const store = new MemoryStore();
      return { store, heldBytes: store.maxBytes, release: async () => {} };
    }
    case 'lmdb': {
      const { LmdbStore } = await import('../native-store/index.js');
      const store = new LmdbStore({ path: env('SOAK_LMDB_PATH'), cacheMaxBytes: LMDB_CACHE_BYTES });
      return { store, heldBytes: LMDB_CACHE_BYTES, release: async () => {} };
    }
    case 'redis': {
      const { Redis } = await import('ioredis');
      const { RedisStore } = await import('../src/stores/redis.js');
      // Fail fast while Redis is away instead of queueing; reconnect soon once it is back.
      const client = new Redis({
        host: '127.0.0.1',
        port: Number(env('SOAK_REDIS_PORT')),
        lazyConnect: true,
        enableOfflineQueue: false,
        maxRetriesPerRequest: 1,
        connectTimeout: STORE_TIMEOUT,
        retryStrategy: () => 200,
      });
      client.on('error', () => {}); // connection errors while Redis is down are expected; requests report theirs
      await client.connect();
      const options = { client, prefix: 'soak:', timeout: STORE_TIMEOUT };
      return { store: new RedisStore(options), heldBytes: 0, release: async () => void client.disconnect() };
    }
    case 'postgres': {
      const pg = (await import('pg')).default;
      const { PostgresStore } = await import('../src/stores/postgres.js');
      const pool = new pg.Pool({
        host: '127.0.0.1',
        port: Number(env('SOAK_PG_PORT')),
        user: 'postgres',
        database: 'postgres',
        max: 8,
        connectionTimeoutMillis: STORE_TIMEOUT,
      });
      pool.on('error', () => {}); // idle clients lose their server during an outage; the pool drops them
      const options = { pool, table: 'soak_sessions', timeout: STORE_TIMEOUT };
      const store = new PostgresStore(options);
      await store.createTable();
      return { store, heldBytes: 0, release: () => pool.end() };
    }
    default:
      throw new Error(`SOAK_STORE must be memory, lmdb, redis or postgres, not ${String(kind)}`);
  }
}

/** The bytes the store and the manager's decode cache may hold, as configured. */
function memoryBound(sessions: SessionManager<Record<string, unknown>>, storeBytes: number): MemoryBound {
  if (sessions.store.stableBytes !== true) return { storeBytes, decodeCacheBytes: 0, decodeCacheAssumed: false };
  const reported = (sessions as { decodeCacheBytes?: unknown }).decodeCacheBytes;
  if (typeof reported === 'number') return { storeBytes, decodeCacheBytes: reported, decodeCacheAssumed: false };
  return { storeBytes, decodeCacheBytes: ASSUMED_DECODE_CACHE_BYTES, decodeCacheAssumed: true };
}

function env(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`${name} is not set`);
  return value;
}

function onError(error: unknown, _req: unknown, res: SessionHttpResponse): void {
  const key = describeError(error);
  errors.set(key, (errors.get(key) ?? 0) + 1);
  if (res.aborted || res.headersSent) return;
  res.cork(() => res.writeStatus('500 Internal Server Error').end('store failed'));
}

/** Active resources now that were not there at start: what the server opened and did not close. */
function leftOpen(): string[] {
  const left = [...process.getActiveResourcesInfo()];
  for (const name of baseline) {
    const at = left.indexOf(name);
    if (at >= 0) left.splice(at, 1);
  }
  return left;
}

async function main(): Promise<void> {
  const { store, heldBytes, release } = await openStore();
  const sessions = new SessionManager<Record<string, unknown>>({ store, lifetime: 60 * 60 * 1000 });
  const withSession = uwsSessions(sessions, { onError });
  const memory = memoryBound(sessions, heldBytes);
  const app = uWS
    .App()
    .put(
      '/counter',
      withSession((res, req, session) => {
        const value = Number(req.getQuery('v'));
        if (!Number.isSafeInteger(value)) {
          res.writeStatus('400 Bad Request').end('v must be an integer');
          return;
        }
        session.put('n', value);
        res.end('ok');
      }),
    )
    .get(
      '/counter',
      withSession((res, _req, session) => {
        const value = session.get('n');
        res.end(value === undefined ? '' : String(value));
      }),
    );
  if (hostile) hostileRoutes(app, store, withSession, { onError });
  app.any('/*', (res) => void res.writeStatus('404 Not Found').end());

  app.listen('127.0.0.1', 0, (listenSocket) => {
    if (listenSocket === false) throw new Error('cannot listen on a loopback port');
    const stats = setInterval(() => send({ type: 'rss', rss: process.memoryUsage.rss(), anon: anonymousRss() }), RSS_EVERY);
    send({ type: 'listening', port: uWS.us_socket_local_port(listenSocket), rss: process.memoryUsage.rss(), anon: anonymousRss(), memory });
    process.on('message', (message: { type?: string }) => {
      if (message?.type !== 'stop') return;
      clearInterval(stats);
      uWS.us_listen_socket_close(listenSocket);
      const stopAt = Date.now();
      const closing = Promise.resolve(store.close?.()).then(release);
      closing.then(
        () => settle(Date.now() + 2000, { error: undefined, ms: Date.now() - stopAt }),
        (error: unknown) => settle(Date.now() + 2000, { error: describeError(error), ms: Date.now() - stopAt }),
      );
    });
  });
}

/** How closing the store went: its error's label, and how long it took (ms). */
interface Closed {
  error: string | undefined;
  ms: number;
}

/**
 * Waits (up to `deadline`) for sockets and timers that are already closing to go: a handle counts as
 * left open only if it is still there then. Checks from an immediate, so the wait's own timer is gone.
 */
function settle(deadline: number, closed: Closed): void {
  process.removeAllListeners('message'); // a 'message' listener keeps the IPC channel referenced: not a leak
  setImmediate(() => {
    if (leftOpen().length === 0 || Date.now() >= deadline) finish(closed);
    else setTimeout(() => settle(deadline, closed), 50);
  });
}

/** Reports what is left, then lets go of the IPC channel: the process should now exit by itself. */
function finish(closed: Closed): void {
  send({
    type: 'closed',
    handles: leftOpen(),
    errors: Object.fromEntries(errors),
    closeError: closed.error,
    closeMs: closed.ms,
    rss: process.memoryUsage.rss(),
  });
  process.disconnect?.();
}

main().catch((error: unknown) => {
  console.error('soak server: cannot start:', error);
  process.exit(1);
});
