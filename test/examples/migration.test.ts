// The sessionkit servers of the migration guides, run from the docs as a user copies them: sign in, read the session, sign out, old cookie refused.
import type { ChildProcess } from 'node:child_process';
import fastifyCookie from '@fastify/cookie';
import Fastify from 'fastify';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { fastifySessions } from '../../src/adapters/fastify.js';
import { SessionManager } from '../../src/index.js';
import { readBlocks } from '../docs/blocks.js';
import { documentedInstalls } from '../docs/installs.js';
import { DocProject } from '../docs/project.js';
import { send, startDocServer } from './support.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const guides = [
  { doc: 'docs/migrating-from-express-session.md', read: '/', signedIn: 'ada, visit 1', signedOut: 'nobody, visit 1' },
  { doc: 'docs/migrating-from-fastify-session.md', read: '/me', signedIn: 'ada', signedOut: 'nobody' },
];
// One server block per guide; each gets a directory of its own (program groups only matter for type-checking).
const blocks = guides.map(({ doc }) => {
  const servers = readBlocks(root, [doc]).filter((block) => block.server);
  if (servers.length !== 1) throw new Error(`${doc}: expected one server block, found ${servers.length}`);
  return { ...servers[0]!, program: undefined };
});
// The packages the README's Install section tells users to install, as the doctest has them.
const project = new DocProject(root, blocks, documentedInstalls(readFileSync(`${root}README.md`, 'utf8')));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
  project.remove();
});

describe.each(guides.map((guide, index) => [guide.doc, guide, index] as const))('%s, the sessionkit example', (_doc, guide, index) => {
  it('signs in, reads the session, signs out, and treats the old cookie as no session', async () => {
    const url = await startDocServer(project, index, guide.read, children);

    const login = await send(`${url}/login`, 'POST');
    expect(login.status).toBeLessThan(400);
    const cookie = login.setCookie.find((line) => line.startsWith('session='))?.split(';')[0];
    expect(cookie).toMatch(/^session=[A-Za-z0-9_-]{43}$/);
    expect((await send(`${url}${guide.read}`, 'GET', cookie)).body).toBe(guide.signedIn);

    const logout = await send(`${url}/logout`, 'POST', cookie);
    expect(logout.setCookie.find((line) => line.startsWith('session='))).toMatch(/^session=; .*Max-Age=0/);
    expect((await send(`${url}${guide.read}`, 'GET', cookie)).body).toBe(guide.signedOut);
  }, 60_000);
});

describe('@fastify/cookie beside sessionkit/fastify, as the Fastify guide says', () => {
  it.each(['before', 'after'] as const)('registered %s sessionkit: both cookies are set and both are read back', async (order) => {
    const app = Fastify();
    if (order === 'before') await app.register(fastifyCookie);
    await app.register(fastifySessions, { manager: new SessionManager() });
    if (order === 'after') await app.register(fastifyCookie);
    app.get('/', async (request, reply) => {
      request.session.put('visits', request.session.getNumber('visits') + 1);
      reply.setCookie('theme', 'dark', { path: '/' });
      return `theme=${request.cookies.theme ?? ''} visits=${request.session.getNumber('visits')}`;
    });
    try {
      const url = await app.listen({ port: 0, host: '127.0.0.1' });
      const first = await send(url, 'GET');
      expect(first.setCookie.map((line) => line.split('=')[0]).sort()).toEqual(['session', 'theme']);
      const cookies = first.setCookie.map((line) => line.split(';')[0]).join('; ');
      expect((await send(url, 'GET', cookies)).body).toBe('theme=dark visits=2');
    } finally {
      await app.close();
    }
  });
});
