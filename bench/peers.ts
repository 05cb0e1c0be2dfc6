// The HTTP suite's servers: each peer is a script in bench/peers/ started in its own process (or two).

export interface Peer {
  id: string;
  label: string;
  file: string;
  env?: Record<string, string>;
  /** a server without sessions: its requests carry a placeholder cookie, and it is the baseline of the peers naming it */
  bare?: boolean;
  /** the same framework without sessions (a bare peer): each rep measures it right before and after this one */
  base?: string;
  /** run by `--quick` too */
  quick?: boolean;
  /** worker processes sharing one port (uWS listens with SO_REUSEPORT on Linux) and one DATA_DIR; default 1 */
  processes?: number;
  /** needs Redis (the suite gives it REDIS_URL and a fresh KEY_PREFIX) */
  redis?: boolean;
  /** needs PostgreSQL (the suite gives it PG_URL and a fresh PG_TABLE) */
  postgres?: boolean;
}

/** Only /put is meaningful for this row: it is plain lmdb-js puts, not a server (see disk-bound.ts). */
export const DISK_BOUND_ID = 'lmdb-disk-bound';
export const DISK_BOUND_LABEL = 'disk bound: lmdb-js puts, 64 in flight';

/** The bare uWS server the uWS rows and the performance goals are measured against. */
export const UWS_BASE = 'raw-uws';

/** LmdbStore options of the shared-path row (several processes on one path): the default, `shared: true`. */
const LMDB_SHARED_OPTIONS = '{}';

const uws = (id: string, label: string, env: Record<string, string>, extra: Partial<Peer> = {}): Peer => ({
  id,
  label,
  file: 'uws-sessionkit.ts',
  env,
  base: UWS_BASE,
  ...extra,
});

export const PEERS: Peer[] = [
  { id: UWS_BASE, label: 'bare uWS, no sessions', file: 'raw-uws.mjs', bare: true, quick: true },
  uws('uws-memory', 'uWS + sessionkit (MemoryStore)', { STORE: 'memory' }, { quick: true }),
  uws('uws-memory-lww', 'uWS + sessionkit (MemoryStore), merge off', { STORE: 'memory', MERGE: 'off' }),
  uws('uws-lmdb', 'uWS + sessionkit (LmdbStore), one process', { STORE: 'lmdb' }, { quick: true }),
  uws('uws-lmdb-single', 'uWS + sessionkit (LmdbStore, shared: false), one process', { STORE: 'lmdb', LMDB_OPTIONS: '{"shared":false}' }, { quick: true }),
  uws('uws-lmdb-auto', "uWS + sessionkit (LmdbStore, shared: 'auto'), one process", { STORE: 'lmdb', LMDB_OPTIONS: '{"shared":"auto"}' }),
  uws('uws-lmdb-lww', 'uWS + sessionkit (LmdbStore), merge off', { STORE: 'lmdb', MERGE: 'off' }),
  uws(
    'uws-lmdb-x2',
    'uWS + sessionkit (LmdbStore), shared path, 2 processes',
    { STORE: 'lmdb', LMDB_OPTIONS: LMDB_SHARED_OPTIONS },
    { processes: 2, quick: true },
  ),
  uws('uws-redis', 'uWS + sessionkit (RedisStore)', { STORE: 'redis' }, { redis: true }),
  uws('uws-redis-near', 'uWS + sessionkit (RedisStore, near cache)', { STORE: 'redis-near' }, { redis: true }),
  uws('uws-postgres', 'uWS + sessionkit (PostgresStore)', { STORE: 'postgres' }, { postgres: true }),
  { id: 'hyper-express', label: 'hyper-express + hyper-express-session (Map)', file: 'hyper-express.mjs', base: UWS_BASE },
  { id: 'raw-node', label: 'bare node:http, no sessions', file: 'raw-node.mjs', bare: true, quick: true },
  { id: 'node-memory', label: 'node:http + sessionkit (MemoryStore)', file: 'node-sessionkit.ts', base: 'raw-node', quick: true },
  { id: 'raw-fastify', label: 'bare Fastify, no sessions', file: 'raw-fastify.mjs', bare: true },
  { id: 'fastify-sessionkit', label: 'Fastify + sessionkit (MemoryStore)', file: 'fastify-sessionkit.ts', base: 'raw-fastify' },
  { id: 'fastify', label: 'Fastify + @fastify/session (memory)', file: 'fastify.mjs', base: 'raw-fastify' },
  { id: 'fastify-redis', label: 'Fastify + @fastify/session (connect-redis)', file: 'fastify-redis.mjs', base: 'raw-fastify', redis: true },
  { id: 'raw-hono', label: 'bare Hono (node-server), no sessions', file: 'raw-hono.mjs', bare: true },
  { id: 'hono-sessionkit', label: 'Hono (node-server) + sessionkit (MemoryStore)', file: 'hono-sessionkit.ts', base: 'raw-hono' },
  { id: 'raw-express', label: 'bare Express 5, no sessions', file: 'raw-express.mjs', bare: true },
  { id: 'express-sessionkit', label: 'Express 5 + sessionkit (MemoryStore)', file: 'express-sessionkit.ts', base: 'raw-express' },
  { id: 'express', label: 'Express 5 + express-session (MemoryStore)', file: 'express.mjs', base: 'raw-express' },
  { id: 'express-redis', label: 'Express 5 + express-session (connect-redis)', file: 'express-redis.mjs', base: 'raw-express', redis: true },
];

/** The label of a peer id (the disk-bound row included). */
export function peerLabel(id: string): string {
  return id === DISK_BOUND_ID ? DISK_BOUND_LABEL : (PEERS.find((p) => p.id === id)?.label ?? id);
}

/** Row ids in table and chart order: the disk bound right after LmdbStore's row. */
export function tableOrder(): string[] {
  const ids = PEERS.map((p) => p.id);
  ids.splice(ids.indexOf('uws-lmdb') + 1, 0, DISK_BOUND_ID);
  return ids;
}
