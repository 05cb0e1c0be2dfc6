// The HTTP suite's servers: each peer is a script in bench/peers/ started in its own process (or two).

export interface Peer {
  id: string;
  label: string;
  file: string;
  env?: Record<string, string>;
  /** the ceiling every ratio is taken against */
  ceiling?: boolean;
  /** a server without sessions: its requests carry a placeholder cookie */
  bare?: boolean;
  /** the same framework without sessions: the row also gets a ratio to it */
  base?: string;
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

export const PEERS: Peer[] = [
  { id: 'raw-uws', label: 'raw uWS, no sessions (ceiling)', file: 'raw-uws.mjs', ceiling: true, bare: true },
  { id: 'uws-memory', label: 'uWS + sessionkit (MemoryStore)', file: 'uws-sessionkit.ts', env: { STORE: 'memory' } },
  { id: 'uws-memory-lww', label: 'uWS + sessionkit (MemoryStore), merge off', file: 'uws-sessionkit.ts', env: { STORE: 'memory', MERGE: 'off' } },
  { id: 'uws-lmdb', label: 'uWS + sessionkit (LmdbStore)', file: 'uws-sessionkit.ts', env: { STORE: 'lmdb' } },
  { id: 'uws-lmdb-lww', label: 'uWS + sessionkit (LmdbStore), merge off', file: 'uws-sessionkit.ts', env: { STORE: 'lmdb', MERGE: 'off' } },
  {
    id: 'uws-lmdb-x2',
    label: 'uWS + sessionkit (LmdbStore), 2 processes',
    file: 'uws-sessionkit.ts',
    env: { STORE: 'lmdb' },
    processes: 2,
  },
  { id: 'uws-redis', label: 'uWS + sessionkit (RedisStore)', file: 'uws-sessionkit.ts', env: { STORE: 'redis' }, redis: true },
  { id: 'uws-redis-near', label: 'uWS + sessionkit (RedisStore, near cache)', file: 'uws-redis-near.ts', redis: true },
  {
    id: 'uws-postgres',
    label: 'uWS + sessionkit (PostgresStore)',
    file: 'uws-sessionkit.ts',
    env: { STORE: 'postgres' },
    postgres: true,
  },
  { id: 'raw-node', label: 'raw node:http, no sessions', file: 'raw-node.mjs', bare: true },
  { id: 'node-memory', label: 'node:http + sessionkit (MemoryStore)', file: 'node-sessionkit.ts', base: 'raw-node' },
  { id: 'hyper-express', label: 'hyper-express + hyper-express-session (Map)', file: 'hyper-express.mjs' },
  { id: 'raw-fastify', label: 'fastify, no sessions', file: 'raw-fastify.mjs', bare: true },
  {
    id: 'fastify-sessionkit',
    label: 'fastify + sessionkit (MemoryStore)',
    file: 'fastify-sessionkit.ts',
    base: 'raw-fastify',
  },
  { id: 'fastify', label: 'fastify + @fastify/session (memory)', file: 'fastify.mjs', base: 'raw-fastify' },
  { id: 'fastify-redis', label: 'fastify + @fastify/session (connect-redis)', file: 'fastify-redis.mjs', base: 'raw-fastify', redis: true },
  { id: 'raw-hono', label: 'hono (node-server), no sessions', file: 'raw-hono.mjs', bare: true },
  {
    id: 'hono-sessionkit',
    label: 'hono (node-server) + sessionkit (MemoryStore)',
    file: 'hono-sessionkit.ts',
    base: 'raw-hono',
  },
  { id: 'express', label: 'express + express-session (MemoryStore)', file: 'express.mjs' },
  { id: 'express-redis', label: 'express + express-session (connect-redis)', file: 'express-redis.mjs', redis: true },
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
