// Fresh apps a user would make: a clean copy of the repository to pack or install from git, commands, and the README's quick start over HTTP.
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { ok } from '../support/commands.js';

/**
 * The repository as a fresh clone has it (tracked and new files, nothing ignored: no dist/, no
 * node_modules), committed in a git repository of its own at `dir`; returns the commit.
 */
export async function cleanCopy(root: string, dir: string): Promise<string> {
  const listed = await ok('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], root);
  for (const file of listed.split('\0').filter((name) => name !== '')) {
    await mkdir(dirname(join(dir, file)), { recursive: true });
    await copyFile(join(root, file), join(dir, file)).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error; // a file deleted but not yet staged
    });
  }
  const git = ['-c', 'user.name=sessionkit', '-c', 'user.email=sessionkit@localhost', '-c', 'commit.gpgsign=false'];
  await ok('git', ['init', '-q', '-b', 'main'], dir);
  await ok('git', ['add', '-A'], dir);
  await ok('git', [...git, 'commit', '-q', '-m', 'snapshot'], dir);
  return (await ok('git', ['rev-parse', 'HEAD'], dir)).trim();
}

/** An empty ESM app that lets sessionkit run its `prepare` script (npm 12 runs none it was not told to). */
export async function emptyApp(dir: string, name: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'package.json'), JSON.stringify({ name, private: true, type: 'module', allowScripts: { sessionkit: true } }, null, 2));
}

/** What a user installs beside sessionkit for the quick start and the Redis store, at today's majors. */
export const appPackages = ['ioredis@^6', 'typescript@^7', '@types/node', 'uWebSockets.js@npm:@trufflesuite/uws-js-unofficial@20.30.0-unofficial.0'];

export function npmInstall(app: string, specs: string[]): Promise<string> {
  return ok('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', ...specs], app);
}

/** The first TypeScript block after the README's "## Quick start" heading. */
export async function quickStart(root: string): Promise<string> {
  const readme = await readFile(join(root, 'README.md'), 'utf8');
  const block = /\n## Quick start\n[\s\S]*?```ts[^\n]*\n([\s\S]*?)\n```/.exec(readme);
  if (block === null) throw new Error('README.md has no TypeScript block under "## Quick start"');
  return block[1]!;
}

/**
 * A script that stores a session with RedisStore on the machine's Redis. It imports `{ Redis }`, as the
 * docs do: ioredis's default export is its Redis class at run time, but its declarations type it as
 * the module under `module: nodenext`, so `new Redis()` from the default import does not compile there.
 */
export function redisScript(prefix: string): string {
  return `import { Redis } from 'ioredis';
import { SessionManager } from 'sessionkit';
import { RedisStore } from 'sessionkit/redis';

const client = new Redis({ host: '127.0.0.1', port: 6379, enableOfflineQueue: false, lazyConnect: true });
await client.connect();
const sessions = new SessionManager<{ message: string }>({ store: new RedisStore({ client, prefix: ${JSON.stringify(prefix)} }) });
const session = await sessions.load(undefined);
session.put('message', 'kept in Redis');
await sessions.commit(session);
const again = await sessions.load(session.token);
console.log(again.getString('message'));
await sessions.store.delete(session.token);
await client.quit();
`;
}

/** A port the OS says is free now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** GET /put then GET /get with the cookie /put set, as the README's curl lines do; returns the /get body. */
export async function putThenGet(port: number, timeoutMs = 15_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let put: Response | undefined;
  while (put === undefined) {
    try {
      put = await fetch(`http://127.0.0.1:${port}/put`);
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  const cookie = put.headers.get('set-cookie')?.split(';')[0];
  if (cookie === undefined) throw new Error(`/put answered ${put.status} without a cookie`);
  const get = await fetch(`http://127.0.0.1:${port}/get`, { headers: { cookie } });
  return get.text();
}

/** Plain JavaScript: a client made from ioredis's default export is one RedisStore accepts and uses. */
export function defaultImportScript(prefix: string): string {
  return `import Redis from 'ioredis';
import { RedisStore } from 'sessionkit/redis';

const client = new Redis({ host: '127.0.0.1', port: 6379, lazyConnect: true });
await client.connect();
const store = new RedisStore({ client, prefix: ${JSON.stringify(prefix)} });
await store.commit('defaultimportcheck', Uint8Array.of(1, 2, 3), Date.now() + 60_000);
console.log([...(await store.find('defaultimportcheck'))].join(','));
await store.delete('defaultimportcheck');
await client.quit();
`;
}
