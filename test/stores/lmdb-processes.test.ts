import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LmdbStore } from '../../native-store/index.js';
import { generateToken } from '../../src/token.js';
import { streamData } from './fixtures/lmdb-data.js';
import { client, startWorker, type Worker } from './fixtures/lmdb-process.js';
import { later } from '../support/time.js';

const dirs: string[] = [];
const workers: Worker[] = [];
function tempPath(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sessionkit-lmdb-mp-'));
  dirs.push(dir);
  return dir;
}
function worker(mode: string, path: string, ...args: string[]): Worker {
  const started = startWorker(mode, path, ...args);
  workers.push(started);
  return started;
}
afterAll(() => {
  for (const started of workers) if (started.child.exitCode === null) started.child.kill('SIGKILL');
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const text = (value: string) => new TextEncoder().encode(value);
const decoder = new TextDecoder();
const HOUR = 3_600_000;

describe('LmdbStore across processes', () => {
  it('never serves a stale cached session after another process commits, touches or deletes', { timeout: 60_000 }, async () => {
    const path = tempPath();
    const store = new LmdbStore({ path, sweepInterval: 0 }); // LRU tier on (the default)
    expect(store.stableBytes).toBe(true);
    const other = worker('serve', path);
    expect(await other.line()).toBe('ready');
    const call = client(other);
    const token = generateToken();

    await store.commit(token, text('v0:aaaa'), later(HOUR));
    const cached = store.find(token);
    expect(store.find(token)).toBe(cached); // served from the LRU tier

    for (let round = 1; round <= 25; round++) {
      // Same length every round: a cache keyed on size or expiry alone would go stale here.
      const value = `v${round % 10}:${'abcd'[round % 4]!.repeat(4)}`;
      await call('commit', token, { data: text(value) });
      const found = store.find(token);
      expect(found).toEqual(text(value));
      expect(store.find(token)).toBe(found);

      await call('touch', token, { expiresAt: later(HOUR) + round });
      expect(store.find(token)).toBe(found); // touch moves the expiry only: the cached copy stays valid

      if (round % 5 === 0) {
        await call('delete', token);
        expect(store.find(token)).toBeUndefined();
        await call('commit', token, { data: text(value) }); // the same bytes again, as a new record
        const again = store.find(token);
        expect(again).toEqual(text(value));
        expect(again).not.toBe(found);
      }
      if (round % 7 === 0) {
        await call('commit', token, { data: text(value), expiresAt: Date.now() - 1 });
        expect(store.find(token)).toBeUndefined();
        await call('commit', token, { data: text(value) });
      }
      // And the other way: what this process commits, the other one reads.
      await store.commit(token, text(`p${round}`), later(HOUR));
      expect((await call('find', token)).data).toBe(Buffer.from(`p${round}`).toString('base64'));
      expect(store.find(token)).toEqual(text(`p${round}`));
    }
    await call('close', token);
    expect(await other.exited).toBe(0);
    await store.close();
  });

  it('keeps every acknowledged commit when the writer is killed with SIGKILL mid-stream', { timeout: 60_000 }, async () => {
    const path = tempPath();
    const acknowledged: string[] = [];
    for (const stopAfter of [150, 400, 700]) {
      const writer = worker('stream', path);
      expect(await writer.line()).toBe('ready');
      for (let count = 0; count < stopAfter; count++) {
        const line = await writer.line();
        expect(line).toMatch(/^ack /);
        acknowledged.push(line.slice(4));
      }
      writer.child.kill('SIGKILL');
      // Lines already written before the kill are acknowledged too.
      for (;;) {
        const line = await writer.line().catch(() => undefined);
        if (line === undefined) break;
        if (line.startsWith('ack ')) acknowledged.push(line.slice(4));
      }
      expect(await writer.exited).toBe(null);
      expect(writer.child.signalCode).toBe('SIGKILL');
    }

    const store = new LmdbStore({ path, sweepInterval: 0, cache: 0 });
    let missing = 0;
    for (const token of acknowledged) {
      const found = store.find(token);
      if (found === undefined || Buffer.compare(found, streamData(token)) !== 0) missing++;
    }
    expect(missing).toBe(0);
    let listed = 0;
    for await (const [token, data] of store.all()) {
      expect(Buffer.compare(data, streamData(token))).toBe(0);
      listed++;
    }
    expect(listed).toBeGreaterThanOrEqual(acknowledged.length);
    const fresh = generateToken();
    await store.commit(fresh, text('after the crash'), later(HOUR));
    expect(store.find(fresh)).toEqual(text('after the crash'));
    await store.close();
  });

  it('lets several processes write and read the same sessions at once without errors or lost writes', { timeout: 90_000 }, async () => {
    const path = tempPath();
    const shared = Array.from({ length: 6 }, () => generateToken());
    const mixers = [1, 2, 3].map((id) => worker('mix', path, String(id), '60', shared.join(',')));
    const summaries = await Promise.all(
      mixers.map(async (mixer) => {
        const line = await mixer.line();
        expect(await mixer.exited, mixer.stderr()).toBe(0);
        return JSON.parse(line) as { worker: string; own: Record<string, string>; lost: number; badReads: number; reads: number };
      }),
    );
    const store = new LmdbStore({ path, sweepInterval: 0 });
    for (const summary of summaries) {
      expect(summary.lost).toBe(0);
      expect(summary.badReads).toBe(0);
      expect(summary.reads).toBeGreaterThan(1000);
      expect(Object.keys(summary.own)).toHaveLength(20);
      for (const [token, value] of Object.entries(summary.own)) expect(store.find(token)).toEqual(text(value));
    }
    for (const token of shared) {
      const found = store.find(token);
      if (found !== undefined) expect(new TextDecoder().decode(found)).toMatch(/^w[123]:\d+$/);
    }
    expect(await store.sweep()).toBeGreaterThanOrEqual(0);
    await store.close();
  });

  it('commitIf is atomic across processes: racing read-modify-write loops lose nothing', { timeout: 90_000 }, async () => {
    const path = tempPath();
    const token = generateToken();
    const store = new LmdbStore({ path, sweepInterval: 0 });
    await store.commit(token, text('[]'), later(HOUR));
    const racers = [1, 2, 3].map((id) => worker('append', path, String(id), token, '60', '4'));
    const summaries = await Promise.all(
      racers.map(async (racer) => {
        const line = await racer.line();
        expect(await racer.exited, racer.stderr()).toBe(0);
        return JSON.parse(line) as { worker: string; attempts: number; refused: number };
      }),
    );
    const items = JSON.parse(decoder.decode(store.find(token))) as string[];
    const wanted = [1, 2, 3].flatMap((id) => Array.from({ length: 60 }, (_, n) => `w${id}:${n}`));
    expect(items.sort()).toEqual(wanted.sort());
    expect(summaries.reduce((sum, summary) => sum + summary.refused, 0)).toBeGreaterThan(0); // they did race
    await store.close();
  });

  it('revokes across processes: after a delete elsewhere, commitIf with the old bytes is refused; the owner index is shared', { timeout: 60_000 }, async () => {
    const path = tempPath();
    const store = new LmdbStore({ path, sweepInterval: 0 });
    const other = worker('serve', path);
    expect(await other.line()).toBe('ready');
    const call = client(other);
    const token = generateToken();
    const user = `user-${generateToken().slice(0, 8)}`;

    await call('commit', token, { data: text('loggedin'), owner: user });
    expect(store.findByOwner(user).map((entry) => entry.key)).toEqual([token]);
    const loaded = store.find(token)!; // cached in this process's LRU tier
    expect(store.find(token)).toBe(loaded);
    await call('delete', token);
    expect(await store.commitIf(token, loaded, text('loggedin+late'), later(HOUR), user)).toBe(false);
    expect(store.find(token)).toBeUndefined();
    expect(store.findByOwner(user)).toEqual([]);

    expect((await call('commitIf', token, { data: text('again'), owner: user })).written).toBe(true);
    expect((await call('commitIf', token, { data: text('twice') })).written).toBe(false);
    expect(store.find(token)).toEqual(text('again'));
    expect(await store.commitIf(token, text('again'), text('changed here'), later(HOUR), user)).toBe(true);
    expect((await call('commitIf', token, { expected: text('again'), data: text('stale') })).written).toBe(false);
    expect((await call('find', token)).data).toBe(Buffer.from('changed here').toString('base64'));
    await store.touch(token, later(HOUR) + 1000);
    expect((await call('findByOwner', token, { owner: user })).keys).toEqual([token]);
    await call('close', token);
    expect(await other.exited).toBe(0);
    await store.close();
  });
});
