// Events across processes sharing one LmdbStore: each occurrence is published once, by the process where it happened.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { findSecrets, type RecordedEvent } from '../../src/testing/event-recorder.js';

const script = fileURLToPath(new URL('./fixtures/events-worker.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'sessionkit-events-mp-'));
const children: ReturnType<typeof spawn>[] = [];
afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

type Reply = { token?: string; handle?: string; found?: boolean; deleted?: number; events?: RecordedEvent[]; error?: string };

/** A worker process: send a command, get its JSON reply. */
async function startProcess(): Promise<(op: string, args?: { token?: string; ms?: number }) => Promise<Reply>> {
  const child = spawn(process.execPath, ['--import', 'tsx', script, dir], { stdio: ['pipe', 'pipe', 'inherit'] });
  children.push(child);
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const next = async (): Promise<string> => {
    const { value, done } = await lines.next();
    if (done) throw new Error('worker exited');
    return value as string;
  };
  expect(await next()).toBe('ready');
  let id = 0;
  return async (op, args = {}) => {
    child.stdin!.write(`${JSON.stringify({ id: ++id, op, ...args })}\n`);
    const reply = JSON.parse(await next()) as Reply & { id: number };
    if (reply.error !== undefined) throw new Error(`worker: ${reply.error}`);
    return reply;
  };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const lifecycle = (events: RecordedEvent[] | undefined) =>
  (events ?? []).map((event) => [event.channel, event.payload.handle, event.payload.reason ?? event.payload.source]);

describe('events across two processes sharing an LmdbStore', () => {
  it('a destroy is published by its process only; an expiry once, by the process whose sweep removed it', { timeout: 60_000 }, async () => {
    const [a, b] = await Promise.all([startProcess(), startProcess()]);
    const kept = await a('create');
    const short = await a('create', { ms: 400 });
    const raced = await a('create', { ms: 400 });
    const tokens = [kept.token!, short.token!, raced.token!];
    expect(lifecycle((await a('events')).events)).toEqual([
      ['created', kept.handle, undefined],
      ['created', short.handle, undefined],
      ['created', raced.handle, undefined],
    ]);

    // Destroyed in A, then missing in B: A publishes destroyed, B nothing.
    expect((await b('load', { token: kept.token })).found).toBe(true);
    await a('destroy', { token: kept.token });
    expect((await b('load', { token: kept.token })).found).toBe(false);
    expect(lifecycle((await a('events')).events)).toEqual([['destroyed', kept.handle, 'app']]);
    expect((await b('events')).events).toEqual([]);

    // Past its expiry, a read in either process finds nothing and publishes nothing; the sweep that deletes it publishes it.
    await sleep(500);
    expect((await a('load', { token: short.token })).found).toBe(false);
    expect((await b('load', { token: short.token })).found).toBe(false);
    expect((await a('events')).events).toEqual([]);
    expect((await b('events')).events).toEqual([]);
    const [sweptA, sweptB] = await Promise.all([a('sweep'), b('sweep')]);
    expect(sweptA.deleted! + sweptB.deleted!).toBe(2);
    const all = [...((await a('events')).events ?? []), ...((await b('events')).events ?? [])];
    expect(lifecycle(all).sort()).toEqual(
      [
        ['expired', short.handle, 'store'],
        ['expired', raced.handle, 'store'],
      ].sort(),
    );
    expect(all.map((event) => event.payload.store)).toEqual(['LmdbStore', 'LmdbStore']);
    expect(findSecrets(all, [...tokens, 'a value no event may carry'])).toEqual([]);
    await Promise.all([a('sweep'), b('sweep')]);
    expect([(await a('events')).events, (await b('events')).events]).toEqual([[], []]);
    await Promise.all([a('close'), b('close')]);
  });
});
