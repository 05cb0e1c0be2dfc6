// The node:cluster example on one LmdbStore path, run as a real process tree: a session crosses workers, a logout holds in all of them.
import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { removeDir, tempDir } from '../stores/support/processes.js';
import { type Example, expectSessionsAcrossProcesses, startExample } from './support.js';

let example: Example | undefined;
let failing: ChildProcess | undefined;
let dir = '';
afterEach(async () => {
  await example?.stop();
  example = undefined;
  failing?.kill('SIGKILL'); // the primary, should it keep forking
  if (dir) await removeDir(dir);
});

describe('examples/cluster-lmdb', () => {
  it('serves one session from every worker, refuses it in every worker after logout, and stops all of them on SIGTERM', async () => {
    dir = await tempDir('cluster-lmdb');
    const data = join(dir, 'sessions');
    example = await startExample('examples/cluster-lmdb/server.ts', { PORT: '0', WORKERS: '2', DATA_DIR: data }, /2 workers listening on (http:\/\/\S+)/);
    const workers = [...example.output().matchAll(/worker (\d+) on port/g)].map((match) => Number(match[1]));
    expect(new Set(workers).size).toBe(2);

    await expectSessionsAcrossProcesses(example.url);
    expect(readdirSync(data).sort()).toEqual(['data.mdb', 'lock.mdb']); // one environment for all workers

    expect(await example.stop()).toBe(0);
    expect(workers.filter(isAlive)).toEqual([]); // the primary waited for its workers
  }, 60_000);

  it('stops with exit code 1, instead of forking again and again, when a worker fails before listening', async () => {
    dir = await tempDir('cluster-lmdb');
    writeFileSync(join(dir, 'file'), '');
    const child = spawn(process.execPath, ['--import', 'tsx', 'examples/cluster-lmdb/server.ts'], {
      env: { ...process.env, PORT: '0', WORKERS: '2', DATA_DIR: join(dir, 'file', 'sessions') }, // a path LMDB cannot open
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    failing = child;
    let errors = '';
    child.stderr!.on('data', (chunk: Buffer) => (errors += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(1);
    expect(errors).toMatch(/exited \(1\) before listening/);
  }, 60_000);
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
