// The example of the users page, run as written: each device's handle is listed, and logging one out by its handle ends that session only.
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { readBlocks } from '../docs/blocks.js';
import { documentedInstalls } from '../docs/installs.js';
import { DocProject } from '../docs/project.js';
import { type Reply, send, startDocServer } from './support.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const servers = readBlocks(root, ['docs/users.md']).filter((block) => block.server);
// The packages the README's Install section tells users to install, as the doctest has them.
const project = new DocProject(root, servers, documentedInstalls(readFileSync(`${root}README.md`, 'utf8')));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
  project.remove();
});

function cookieOf(reply: Reply): string {
  return reply.setCookie.find((line) => line.startsWith('session='))!.split(';')[0]!;
}

describe('docs/users.md example', () => {
  it('lists the handle of each device, and POST /devices/logout?handle= ends that device only', async () => {
    expect(servers).toHaveLength(1);
    const url = await startDocServer(project, 0, '/devices', children);
    const phone = cookieOf(await send(`${url}/login?user=ada`, 'POST'));
    const laptop = cookieOf(await send(`${url}/login?user=ada`, 'POST'));

    const listed = (await send(`${url}/devices`, 'GET', phone)).body.split('\n');
    expect(listed).toHaveLength(2);
    const handles = listed.map((line) => /^([A-Za-z0-9_-]{22}) /.exec(line)?.[1]);
    expect(handles.every((handle) => handle !== undefined)).toBe(true);
    const other = listed.find((line) => !line.includes('(this device)'));
    expect(other).toBeDefined();

    const handle = /^(\S+) /.exec(other!)![1]!;
    expect((await send(`${url}/devices/logout?handle=${handle}`, 'POST', phone)).body).toBe('logged out');
    expect((await send(`${url}/devices`, 'GET', laptop)).status).toBe(401);
    expect((await send(`${url}/devices`, 'GET', phone)).body.split('\n')).toHaveLength(1);
  }, 60_000);
});
