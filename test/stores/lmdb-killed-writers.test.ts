// Read-your-writes on LmdbStore while writers in other processes are killed mid-commit, again and again.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LmdbStore } from '../../native-store/index.js';
import { startWorker, type Worker } from './fixtures/lmdb-process.js';
import { later, sleep } from '../support/time.js';

const dirs: string[] = [];
const workers = new Set<Worker>();
afterAll(() => {
  for (const started of workers) started.child.kill('SIGKILL');
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const HOUR = 3_600_000;
const RUN_FOR = 25_000;
const KILLERS = 6;
const SESSIONS = 32;

/** Reads a writer's `ack` lines as they come, so its pipe never fills, until it dies. */
async function drain(writer: Worker): Promise<void> {
  try {
    for (;;) await writer.line();
  } catch {
    // killed
  }
}

/** Starts `stream` writers on `path` one after another and SIGKILLs each a moment after it is ready, until `until`. */
async function killWriters(path: string, until: number): Promise<number> {
  let kills = 0;
  while (Date.now() < until) {
    const writer = startWorker('stream', path);
    workers.add(writer);
    await writer.line(); // ready
    void drain(writer);
    await sleep(20 + Math.random() * 250);
    writer.child.kill('SIGKILL');
    await writer.exited;
    workers.delete(writer);
    kills++;
  }
  return kills;
}

describe('LmdbStore with writers in other processes killed mid-commit', () => {
  it('a find after a commit resolved returns what was committed, however often other writers die', { timeout: 120_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sessionkit-lmdb-kill-'));
    dirs.push(dir);
    const path = join(dir, 'sessions');
    const store = new LmdbStore({ path, sweepInterval: 0 });
    const until = Date.now() + RUN_FOR;
    const stale: string[] = [];
    let checked = 0;
    const session = async (index: number) => {
      const token = `session-${index}`;
      for (let value = 1; Date.now() < until; value++) {
        await store.commit(token, new TextEncoder().encode(String(value)), later(HOUR));
        await new Promise((resolve) => setImmediate(resolve)); // a later task, as the next request would be
        const found = store.find(token);
        const read = found === undefined ? 'nothing' : new TextDecoder().decode(found);
        if (read !== String(value)) stale.push(`${token}: committed ${value}, read ${read}`);
        checked++;
      }
    };
    const [kills] = await Promise.all([
      Promise.all(Array.from({ length: KILLERS }, () => killWriters(path, until))).then((counts) => counts.reduce((a, b) => a + b)),
      ...Array.from({ length: SESSIONS }, (_, index) => session(index)),
    ]);
    await store.close();
    expect(kills).toBeGreaterThan(20); // the writers did die, many times, while this process committed
    expect(checked).toBeGreaterThan(1000);
    expect(stale.slice(0, 5)).toEqual([]);
  });
});
