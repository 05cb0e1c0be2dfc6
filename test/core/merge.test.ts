// Merge-on-commit on MemoryStore: two requests of one session change it at once, and the second commit lands on top of the first.
import { describe, expect, it } from 'vitest';
import { MemoryStore, SaveAction, SessionManager, SessionkitError, msgpackCodec, type Codec, type SessionOptions } from '../../src/index.js';
import { conflictBudget } from '../../src/commit-retry.js';
import type { Store } from '../../src/store.js';
import { spyStore } from '../support/spy-store.js';
import { stored, storedValues } from '../support/sessions.js';

const HOUR = 60 * 60 * 1000;

function setup(options: SessionOptions = {}, without: Parameters<typeof spyStore>[1] = []) {
  const memory = new MemoryStore({ sweepInterval: 0 });
  const store = spyStore(memory, without);
  const manager = new SessionManager({ store, ...options });
  return { memory, store, manager };
}

describe('merge-on-commit', () => {
  it('keeps changes to different keys from both requests', async () => {
    const { manager } = setup();
    const token = await stored(manager);
    const first = await manager.load(token);
    const second = await manager.load(token);
    first.put('a', 1);
    second.put('b', 2);
    expect(manager.saveNow(first)).toBe(SaveAction.SetCookie);
    expect(await manager.saveNow(second)).toBe(SaveAction.SetCookie);
    expect(await storedValues(manager, token)).toEqual({ base: 1, a: 1, b: 2 });
    // The later session now holds the merged values, so its next save keeps them.
    expect(second.get('a')).toBe(1);
    expect(second.token).toBe(token);
  });

  it('on a synchronous store a conflicting commit merges in the same tick: the save answers without a promise', async () => {
    const { manager, store } = setup();
    const token = await stored(manager);
    const first = await manager.load(token);
    const second = await manager.load(token);
    first.put('a', 1);
    second.put('b', 2);
    expect(manager.saveNow(first)).toBe(SaveAction.SetCookie);
    store.calls.commitIf = 0;
    expect(manager.saveNow(second)).toBe(SaveAction.SetCookie);
    // The failed conditional write, then the merged one.
    expect(store.calls.commitIf).toBe(2);
    expect(await storedValues(manager, token)).toEqual({ base: 1, a: 1, b: 2 });
  });

  it('for the same key, the later commit wins', async () => {
    const { manager } = setup();
    const token = await stored(manager);
    const first = await manager.load(token);
    const second = await manager.load(token);
    second.put('k', 'second');
    first.put('k', 'first');
    await manager.commit(second);
    await manager.commit(first);
    expect(await storedValues(manager, token)).toEqual({ base: 1, k: 'first' });
  });

  it('merges remove and pop as removals of that key; a later put of it wins over them', async () => {
    const { manager } = setup();
    const token = await stored(manager, { x: 1, y: 1, z: 1 });
    const remover = await manager.load(token);
    const writer = await manager.load(token);
    remover.remove('x');
    expect(remover.pop('y')).toBe(1);
    writer.put('z', 2);
    await manager.commit(writer);
    await manager.commit(remover);
    expect(await storedValues(manager, token)).toEqual({ z: 2 });

    const late = await manager.load(token);
    const early = await manager.load(token);
    early.remove('z');
    late.put('z', 3);
    await manager.commit(early);
    await manager.commit(late);
    expect(await storedValues(manager, token)).toEqual({ z: 3 });
  });

  it('clear() removes every key, also ones another request added since, and keeps the session identity', async () => {
    const { manager } = setup();
    const token = await stored(manager, { x: 1, y: 2 });
    const before = await manager.load(token);
    const handle = before.handle;
    const clearer = await manager.load(token);
    const adder = await manager.load(token);
    clearer.clear();
    clearer.put('kept', 'mine');
    adder.put('added', 'concurrently');
    adder.rememberMe(true);
    await manager.commit(adder);
    await manager.commit(clearer);
    expect(await storedValues(manager, token)).toEqual({ kept: 'mine' });
    const after = await manager.load(token);
    expect(after.handle).toBe(handle);
    expect(after.handle).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it('deadline: a request that did not set it keeps the stored one; of two that did, the later commit wins', async () => {
    const { manager } = setup();
    const token = await stored(manager);
    const setter = await manager.load(token);
    const other = await manager.load(token);
    const soon = Date.now() + HOUR;
    setter.setDeadline(soon);
    other.put('k', 1);
    await manager.commit(setter);
    await manager.commit(other);
    expect((await manager.load(token)).deadline).toBe(soon);
    expect(other.deadline).toBe(soon);

    const a = await manager.load(token);
    const b = await manager.load(token);
    a.setDeadline(soon + 1000);
    b.setDeadline(soon + 2000);
    await manager.commit(b);
    await manager.commit(a);
    expect((await manager.load(token)).deadline).toBe(soon + 1000);
  });

  it('remember-me: the later commit that set it wins; one that did not keeps it', async () => {
    const { manager } = setup({ cookie: { persist: false } });
    const token = await stored(manager);
    const rememberer = await manager.load(token);
    const writer = await manager.load(token);
    rememberer.rememberMe(true);
    writer.put('k', 1);
    await manager.commit(rememberer);
    await manager.commit(writer);
    const remembered = await manager.load(token);
    expect(manager.setCookieHeader(remembered, SaveAction.SetCookie)).toMatch(/Expires=/);

    const on = await manager.load(token);
    const off = await manager.load(token);
    on.rememberMe(true);
    off.rememberMe(false);
    await manager.commit(on);
    await manager.commit(off);
    const forgotten = await manager.load(token);
    expect(manager.setCookieHeader(forgotten, SaveAction.SetCookie)).not.toMatch(/Expires=/);
  });

  it('uncontended: one commitIf, no find and no decode beyond the load', async () => {
    let decodes = 0;
    const codec: Codec = { name: 'counting', encode: msgpackCodec.encode, decode: (bytes) => (decodes++, msgpackCodec.decode(bytes)) };
    const { manager, store } = setup({ codec });
    const token = await stored(manager);
    await manager.load(token); // warms the decode cache
    const calls = { ...store.calls };
    decodes = 0;
    const session = await manager.load(token);
    session.put('k', 1);
    expect(manager.saveNow(session)).toBe(SaveAction.SetCookie);
    expect(store.calls.commitIf - calls.commitIf).toBe(1);
    expect(store.calls.commit - calls.commit).toBe(0);
    // The load's find, and the one that files the written bytes in the decode cache.
    expect(store.calls.find - calls.find).toBe(2);
    expect(decodes).toBe(0);
  });

  it("gives up after the store's timeout when the session changes under every attempt, pausing between attempts and writing nothing of its own", async () => {
    const { manager, store, memory } = setup();
    (store as { timeout?: number }).timeout = 300;
    const token = await stored(manager);
    const session = await manager.load(token);
    session.put('mine', 1);
    let rival = 0;
    // Another writer changes the session just before each of this request's conditional writes.
    store.beforeCommitIf = (key) => {
      const current = memory.find(key)!;
      const record = msgpackCodec.decode(current);
      record.values.set('rival', ++rival);
      memory.commit(key, msgpackCodec.encode(record.deadline, record.values), Date.now() + HOUR);
    };
    const started = Date.now();
    const error = await manager.commit(session).catch((e: unknown) => e);
    const took = Date.now() - started;
    expect(error).toBeInstanceOf(SessionkitError);
    expect((error as Error).message).toBe(
      'sessionkit: commit: commit conflict: other writers kept changing the stored session for 300 ms, under every attempt to write it; nothing was written',
    );
    // Bounded by time, not by a count of attempts: it kept trying for the whole budget...
    expect(took).toBeGreaterThanOrEqual(300);
    expect(took).toBeLessThan(2000);
    // ...with pauses between attempts (without them it makes thousands in 300 ms).
    expect(store.calls.commitIf).toBeGreaterThan(5);
    expect(store.calls.commitIf).toBeLessThan(150);
    store.beforeCommitIf = undefined;
    expect(await storedValues(manager, token)).toEqual({ base: 1, rival: store.calls.commitIf - 1 });
  });

  it('a store without a timeout gives a conflicting commit 5 s', async () => {
    expect(conflictBudget(new MemoryStore({ sweepInterval: 0 }))).toBe(5000);
    const store: Store = { find: () => undefined, commit: () => {}, delete: () => {}, timeout: 1234 };
    expect(conflictBudget(store)).toBe(1234);
  });

  it('merges after a few conflicting rounds and then succeeds', async () => {
    const { manager, store, memory } = setup();
    const token = await stored(manager);
    const session = await manager.load(token);
    session.put('mine', 1);
    let rounds = 0;
    store.beforeCommitIf = (key) => {
      if (++rounds > 3) return;
      const record = msgpackCodec.decode(memory.find(key)!);
      record.values.set(`rival${rounds}`, rounds);
      memory.commit(key, msgpackCodec.encode(record.deadline, record.values), Date.now() + HOUR);
    };
    expect((await manager.commit(session)).token).toBe(token);
    expect(await storedValues(manager, token)).toEqual({ base: 1, mine: 1, rival1: 1, rival2: 2, rival3: 3 });
  });

  it('a new session whose token was taken meanwhile takes another token', async () => {
    const { manager, store, memory } = setup();
    const session = await manager.load();
    session.put('k', 1);
    let taken = '';
    store.beforeCommitIf = (key, expected) => {
      if (taken !== '' || expected !== undefined) return;
      taken = key;
      memory.commit(key, Uint8Array.of(1, 2, 3), Date.now() + HOUR);
    };
    const { token } = await manager.commit(session);
    expect(token).not.toBe(taken);
    expect(token).toBe(session.token);
    expect(await storedValues(manager, token)).toEqual({ k: 1 });
    expect(memory.find(taken)).toEqual(Uint8Array.of(1, 2, 3));
  });

  it('changes made while a commit is in flight stay pending on top of the merged values', async () => {
    const memory = new MemoryStore({ sweepInterval: 0 });
    const store = spyStore(memory);
    const slow = { ...store, commitIf: (...args: Parameters<NonNullable<typeof store.commitIf>>) => Promise.resolve().then(() => store.commitIf!(...args)) };
    const manager = new SessionManager({ store: slow });
    const token = await stored(manager);
    const streaming = await manager.load(token);
    const other = await manager.load(token);
    other.put('other', 1);
    await manager.commit(other);
    streaming.put('first', 1);
    const saving = manager.saveNow(streaming);
    streaming.put('late', 2);
    expect(await saving).toBe(SaveAction.SetCookie);
    expect(streaming.status).toBe('modified');
    expect(await storedValues(manager, token)).toEqual({ base: 1, other: 1, first: 1 });
    await manager.saveNow(streaming);
    expect(await storedValues(manager, token)).toEqual({ base: 1, other: 1, first: 1, late: 2 });
  });

  it('a store without commitIf keeps last-writer-wins', async () => {
    const { manager, store } = setup({}, ['commitIf']);
    const token = await stored(manager);
    const first = await manager.load(token);
    const second = await manager.load(token);
    first.put('a', 1);
    second.put('b', 2);
    await manager.commit(first);
    await manager.commit(second);
    expect(await storedValues(manager, token)).toEqual({ base: 1, b: 2 });
    expect(store.calls.commitIf).toBe(0);
  });
});
