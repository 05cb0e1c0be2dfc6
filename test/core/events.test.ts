// Lifecycle events and tracing in the core: expiry, eviction, refusals, store errors and the tracing protocol, each exactly once.
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { jsonCodec, MemoryStore, SessionManager, type Store } from '../../src/index.js';
import { storeError } from '../../src/store-error.js';
import { PostgresStore } from '../../src/stores/postgres.js';
import { EventRecorder, findSecrets } from '../../src/testing/event-recorder.js';
import { freePort } from '../stores/support/processes.js';
import { TestStore } from '../support/store.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A store that never expires anything itself (as a store with coarse or lazy expiry may): the manager sees the deadline. */
class KeepingStore implements Store {
  readonly entries = new Map<string, Uint8Array>();
  find(token: string) {
    return this.entries.get(token);
  }
  commit(token: string, data: Uint8Array) {
    this.entries.set(token, new Uint8Array(data));
  }
  delete(token: string) {
    this.entries.delete(token);
  }
}

let recorder: EventRecorder;
afterEach(() => recorder?.stop());

async function storedSession(sessions: SessionManager, deadlineIn?: number, user?: string): Promise<{ token: string; handle: string }> {
  const session = await sessions.load();
  session.put('secret', 'value');
  if (user !== undefined) await session.login(user);
  if (deadlineIn !== undefined) session.setDeadline(Date.now() + deadlineIn);
  const { token } = await sessions.commit(session);
  return { token, handle: session.handle };
}

describe('expired', () => {
  it('MemoryStore: published once, before the load that found the session expired resolves', async () => {
    const store = new MemoryStore({ sweepInterval: 0 });
    const sessions = new SessionManager({ store });
    const { token, handle } = await storedSession(sessions, 50, 'ada');
    recorder = new EventRecorder();
    await sleep(70);
    expect((await sessions.load(token)).token).toBe('');
    expect(recorder.of('expired')).toEqual([{ store: 'MemoryStore', handle, userId: 'ada', source: 'store' }]);
    await sessions.load(token);
    store.sweep();
    expect(recorder.of('expired')).toHaveLength(1);
  });

  it('MemoryStore: published once by the sweep that removes it', async () => {
    const store = new MemoryStore({ sweepInterval: 0 });
    const sessions = new SessionManager({ store });
    const { token, handle } = await storedSession(sessions, 50);
    recorder = new EventRecorder();
    await sleep(70);
    store.sweep();
    store.sweep();
    expect(recorder.of('expired')).toEqual([{ store: 'MemoryStore', handle, userId: undefined, source: 'store' }]);
    await sessions.load(token);
    expect(recorder.of('expired')).toHaveLength(1);
  });

  it('a store that keeps expired entries: the load that finds one publishes it once and deletes it', async () => {
    const store = new KeepingStore();
    const sessions = new SessionManager({ store });
    const { token, handle } = await storedSession(sessions, 50);
    recorder = new EventRecorder();
    await sleep(70);
    expect((await sessions.load(token)).token).toBe('');
    expect(recorder.of('expired')).toEqual([{ store: 'KeepingStore', handle, userId: undefined, source: 'load' }]);
    expect(store.entries.size).toBe(0);
    await sessions.load(token);
    expect(recorder.of('expired')).toHaveLength(1);
  });
});

describe('evicted', () => {
  it('MemoryStore past maxEntries: the least recently used session is published once, with its handle and user', async () => {
    const store = new MemoryStore({ maxEntries: 2, sweepInterval: 0 });
    const sessions = new SessionManager({ store });
    recorder = new EventRecorder();
    const first = await storedSession(sessions, undefined, 'ada');
    await storedSession(sessions);
    expect(recorder.of('evicted')).toEqual([]);
    await storedSession(sessions);
    expect(recorder.of('evicted')).toEqual([{ store: 'MemoryStore', handle: first.handle, userId: 'ada' }]);
    expect(findSecrets(recorder.events, [first.token, 'value'])).toEqual([]);
  });
});

describe('evicted or expired at the bound', () => {
  it('MemoryStore past maxEntries: an oldest session that had expired unswept is published as expired, not evicted', async () => {
    const store = new MemoryStore({ maxEntries: 2, sweepInterval: 0 });
    const sessions = new SessionManager({ store });
    const first = await storedSession(sessions, 30);
    await storedSession(sessions);
    recorder = new EventRecorder();
    await sleep(50);
    await storedSession(sessions);
    expect(recorder.of('evicted')).toEqual([]);
    expect(recorder.of('expired')).toEqual([{ store: 'MemoryStore', handle: first.handle, userId: undefined, source: 'store' }]);
  });
});

describe('refused', () => {
  it('a value the codec refuses: published once with reason codec, and nothing is written', async () => {
    const sessions = new SessionManager({ store: new MemoryStore(), codec: jsonCodec });
    recorder = new EventRecorder();
    const session = await sessions.load();
    session.put('n', Number.NaN);
    await expect(sessions.commit(session)).rejects.toThrow(/json codec/);
    expect(recorder.of('refused')).toEqual([{ store: 'MemoryStore', handle: expect.any(String), userId: undefined, reason: 'codec', bytes: 0 }]);
    expect(recorder.of('created')).toEqual([]);
  });
});

describe('renewed and login', () => {
  it('renewing or logging in a session never stored publishes nothing until its commit, which publishes created (and login)', async () => {
    const sessions = new SessionManager({ store: new MemoryStore() });
    recorder = new EventRecorder();
    const session = await sessions.load();
    await session.renewToken();
    await session.login('ada');
    expect(recorder.events.filter((event) => !event.channel.includes('.'))).toEqual([]);
    await sessions.commit(session);
    expect(recorder.events.filter((event) => !event.channel.includes('.')).map((event) => event.channel)).toEqual(['created', 'login']);
  });
});

describe('store-error', () => {
  it('published once per failure, naming the store and operation, with the sanitized error', async () => {
    recorder = new EventRecorder();
    const token = 'Zx9'.repeat(15);
    const error = storeError('redis store', 'GET', new Error(`GET session:${token} failed`));
    expect(recorder.of('storeError')).toEqual([{ store: 'RedisStore', operation: 'GET', error }]);
    expect(findSecrets(recorder.events, [token])).toEqual([]);
  });

  it('a real PostgresStore that cannot connect publishes store-error for the failed find', async () => {
    const pool = new pg.Pool({ host: '127.0.0.1', port: await freePort(), user: 'postgres', database: 'test', connectionTimeoutMillis: 2000 });
    const store = new PostgresStore({ pool, table: 'never_created', cleanupInterval: 0 });
    const sessions = new SessionManager({ store });
    recorder = new EventRecorder();
    try {
      await expect(sessions.load('A'.repeat(43))).rejects.toThrow(/postgres store/);
      expect(recorder.of('storeError')).toEqual([{ store: 'PostgresStore', operation: expect.any(String), error: expect.any(Error) }]);
      expect(recorder.of('load.error')).toHaveLength(1);
      expect(findSecrets(recorder.events, ['A'.repeat(43)])).toEqual([]);
    } finally {
      await store.close();
      await pool.end();
    }
  });
});

describe('tracing channels', () => {
  const phases = (channel: 'load' | 'commit') =>
    recorder.events.filter((event) => event.channel.startsWith(`${channel}.`)).map((event) => event.channel.slice(channel.length + 1));

  it('a synchronous store: start and end, the context names the session and never holds it', async () => {
    const sessions = new SessionManager({ store: new MemoryStore() });
    const { token, handle } = await storedSession(sessions, undefined, 'ada');
    recorder = new EventRecorder();
    const session = sessions.loadNow(token);
    expect(phases('load')).toEqual(['start', 'end']);
    expect(recorder.of('load.end')).toEqual([{ store: 'MemoryStore', handle, userId: 'ada', async: false }]);
    if (session instanceof Promise) throw new Error('MemoryStore loads synchronously');
    session.put('n', 1);
    sessions.saveNow(session);
    expect(phases('commit')).toEqual(['start', 'end']);
    const [end] = recorder.of('commit.end');
    expect(end).toEqual({ store: 'MemoryStore', handle, userId: 'ada', async: false, written: true, bytes: expect.any(Number) });
    expect(end!.bytes).toBe((sessions.store.find(token) as Uint8Array).length);
  });

  it('an asynchronous store: start, end, asyncStart, asyncEnd, with the session named by asyncStart', async () => {
    const sessions = new SessionManager({ store: new TestStore({ delay: 2, stableBytes: false }) });
    const { token, handle } = await storedSession(sessions);
    recorder = new EventRecorder();
    await sessions.load(token);
    expect(phases('load')).toEqual(['start', 'end', 'asyncStart', 'asyncEnd']);
    expect(recorder.of('load.end')[0]).toMatchObject({ handle: undefined, async: true });
    expect(recorder.of('load.asyncEnd')[0]).toMatchObject({ handle, async: true });
  });

  it('a failing store: error before end (sync) or before asyncStart (async), with the error in the context', async () => {
    const store = new TestStore();
    const sessions = new SessionManager({ store });
    store.failWith = new Error('down');
    recorder = new EventRecorder();
    expect(() => sessions.loadNow('A'.repeat(43))).toThrow('down');
    expect(phases('load')).toEqual(['start', 'error', 'end']);
    store.delay = 2;
    recorder.events.length = 0;
    await expect(sessions.load('A'.repeat(43))).rejects.toThrow('down');
    expect(phases('load')).toEqual(['start', 'end', 'error', 'asyncStart', 'asyncEnd']);
    expect(recorder.of('load.error')[0]!.error).toEqual(expect.objectContaining({ message: 'down' }));
  });

  it("a third-party store's error is sanitized in the tracing context", async () => {
    const store = new TestStore();
    const sessions = new SessionManager({ store });
    const token = 'A'.repeat(43);
    store.failWith = new Error(`no entry for ${token}`);
    recorder = new EventRecorder();
    expect(() => sessions.loadNow(token)).toThrow(token);
    expect(recorder.of('load.error')).toHaveLength(1);
    expect(findSecrets(recorder.events, [token])).toEqual([]);
  });
});

describe('merged and refused under group commit', () => {
  it('commits that waited for one in flight publish merged once each (rounds 1); the one in flight does not', async () => {
    const sessions = new SessionManager({ store: new TestStore({ delay: 5, stableBytes: false }) });
    const { token, handle } = await storedSession(sessions);
    const [a, b, c] = await Promise.all([sessions.load(token), sessions.load(token), sessions.load(token)]);
    recorder = new EventRecorder();
    a.put('a', 1);
    b.put('b', 2);
    c.put('c', 3);
    await Promise.all([sessions.commit(a), sessions.commit(b), sessions.commit(c)]);
    expect(recorder.of('merged')).toEqual([
      { store: 'TestStore', handle, userId: undefined, rounds: 1 },
      { store: 'TestStore', handle, userId: undefined, rounds: 1 },
    ]);
    const merged = await sessions.load(token);
    expect([merged.get('a'), merged.get('b'), merged.get('c')]).toEqual([1, 2, 3]);
  });

  it('a group of waiting commits too big together publishes refused only for the commit that is too big alone', async () => {
    const sessions = new SessionManager({ store: new TestStore({ delay: 5, stableBytes: false }), maxSessionBytes: 330 });
    const { token } = await storedSession(sessions);
    const [a, b, c] = await Promise.all([sessions.load(token), sessions.load(token), sessions.load(token)]);
    recorder = new EventRecorder();
    a.put('a', 'x'.repeat(100));
    b.put('b', 'y'.repeat(100));
    c.put('c', 'z'.repeat(100));
    const results = await Promise.allSettled([sessions.commit(a), sessions.commit(b), sessions.commit(c)]);
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'fulfilled', 'rejected']);
    expect(recorder.of('refused')).toEqual([expect.objectContaining({ reason: 'size', bytes: expect.any(Number) })]);
    expect(recorder.of('refused')[0]!.bytes).toBeGreaterThan(330);
  });
});
