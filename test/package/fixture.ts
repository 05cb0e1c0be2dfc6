// Files of the throwaway app that installs the packed tarball: an import of every entry, tsconfigs, a resolve hook.

/** Every subpath a user can import, in package.json order. */
export const entries = [
  'sessionkit',
  'sessionkit/uws',
  'sessionkit/node',
  'sessionkit/lmdb',
  'sessionkit/redis',
  'sessionkit/postgres',
  'sessionkit/mysql',
  'sessionkit/fastify',
  'sessionkit/hono',
  'sessionkit/store-kit',
  'sessionkit/test-suite',
];

/** Optional peers the app links from this repository's install (none of them is installed by the tarball). */
export const linkedPeers = ['fastify', 'hono', 'lmdb', 'ioredis', 'pg', 'mysql2', 'uWebSockets.js', 'vitest', '@types/node', '@types/pg'];

/** What importing `sessionkit` must never load. */
export const forbiddenForCore = ['fastify', 'fastify-plugin', 'hono', '@hono', 'lmdb', 'uWebSockets.js', 'ioredis', 'pg', 'mysql2', 'vitest'];

/** A TypeScript file that imports every entry, declares the Fastify session shape, and uses each adapter typed. */
export const checkTs = `import { SessionManager, MemoryStore, SessionkitError, msgpackCodec, jsonCodec, type Store, type Session } from 'sessionkit';
import { uwsSessions } from 'sessionkit/uws';
import { nodeSessions } from 'sessionkit/node';
import { LmdbStore } from 'sessionkit/lmdb';
import { RedisStore } from 'sessionkit/redis';
import { PostgresStore } from 'sessionkit/postgres';
import { MySqlStore } from 'sessionkit/mysql';
import { fastifySessions } from 'sessionkit/fastify';
import { honoSessions, type SessionEnv } from 'sessionkit/hono';
import { storeConformance } from 'sessionkit/test-suite';
import { BackgroundTask, storeError, type OwnedEntry } from 'sessionkit/store-kit';
import Fastify from 'fastify';
import { Hono } from 'hono';

interface AppData {
  message: string;
}

declare module 'sessionkit/fastify' {
  interface FastifySessionTypes {
    data: AppData;
  }
}

const sessions = new SessionManager<AppData>({ store: new MemoryStore() });
const app = Fastify();
await app.register(fastifySessions, { manager: sessions });
app.get('/', (request) => {
  const message: string = request.session.getString('message');
  // @ts-expect-error message is a string: the declared shape reaches request.session
  request.session.put('message', 1);
  return message;
});
// @ts-expect-error a manager of another shape does not match the declared one
await app.register(fastifySessions, { manager: new SessionManager<{ other: number }>() });

const hono = new Hono<SessionEnv<AppData>>().use(honoSessions(sessions));
hono.get('/', (c) => c.text(c.get('session').getString('message')));

export const used = [uwsSessions, nodeSessions, LmdbStore, RedisStore, PostgresStore, MySqlStore, storeConformance, BackgroundTask, storeError, SessionkitError, msgpackCodec, jsonCodec];
export type Used = [Store, Session<AppData>, OwnedEntry];
`;

/** A tsconfig for one module resolution mode, libraries checked too. */
export function tsconfig(resolution: 'nodenext' | 'bundler'): string {
  const compilerOptions = {
    module: resolution === 'nodenext' ? 'nodenext' : 'esnext',
    moduleResolution: resolution,
    target: 'es2022',
    strict: true,
    noEmit: true,
    skipLibCheck: false,
    types: ['node'],
  };
  return JSON.stringify({ compilerOptions, files: ['check.ts'] }, null, 2);
}

/** A module resolve hook that records every resolved URL in the file named by RESOLVE_LOG. */
export const hooksMjs = `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  appendFileSync(process.env.RESOLVE_LOG, result.url + '\\n');
  return result;
}
`;

export const registerMjs = `import { register } from 'node:module';
register('./hooks.mjs', import.meta.url);
`;
