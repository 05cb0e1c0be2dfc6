// The sessionkit servers of the migration guides, run from the docs as a user copies them: sign in, read the session, sign out, old cookie refused.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { readBlocks } from '../docs/blocks.js';
import { DocProject } from '../docs/project.js';
import { waitFor } from '../stores/support/processes.js';
import { send } from './support.js';

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
const project = new DocProject(root, blocks);
const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
  project.remove();
});

/** A port the OS says is free now. */
function osPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

describe.each(guides.map((guide, index) => [guide.doc, guide, index] as const))('%s, the sessionkit example', (_doc, guide, index) => {
  it('signs in, reads the session, signs out, and treats the old cookie as no session', async () => {
    const file = join(project.dir, `block-${index}`, `block-${index}.js`);
    expect(existsSync(file), `${file} (the doc project's layout changed)`).toBe(true);
    const port = await osPort();
    const child = spawn(process.execPath, [file], { cwd: join(file, '..'), env: { ...process.env, PORT: String(port) }, stdio: 'ignore' });
    children.push(child);
    const url = `http://127.0.0.1:${port}`;
    await waitFor(`${guide.doc} listening on ${port}`, () => send(`${url}${guide.read}`, 'GET'), 20_000);

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
