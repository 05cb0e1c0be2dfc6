// Group commit: concurrent commits of one session on an async store wait for the one in flight and go out together as one conditional write.
import { describe, expect, it } from 'vitest';
import { type Codec, MemoryStore, msgpackCodec, SaveAction, SessionManager, SessionkitError, type SessionOptions } from '../../src/index.js';
import { TestStore } from '../support/store.js';
import { stored, storedValues } from '../support/sessions.js';

const DELAY = 5;

function setup(options: SessionOptions = {}) {
  const store = new TestStore({ delay: DELAY, stableBytes: false });
  const manager = new SessionManager({ store, ...options });
  return { store, manager };
}

describe('group commit', () => {
  it('writes 64 concurrent commits of one session with two conditional writes and keeps every change', async () => {
    const { store, manager } = setup();
    const token = await stored(manager);
    const sessions = await Promise.all(Array.from({ length: 64 }, () => manager.load(token)));
    sessions.forEach((session, i) => session.put(`k${i}`, i));
    store.reset();
    const results = await Promise.all(sessions.map((session) => manager.commit(session)));
    expect(results.every((result) => result.token === token)).toBe(true);
    // The first in flight, then the 63 that waited for it, as one write on top of it: no re-read.
    expect(store.calls.commitIf).toBe(2);
    expect(store.calls.find).toBe(0);
    const expected = { base: 1, ...Object.fromEntries(sessions.map((_, i) => [`k${i}`, i])) };
    expect(await storedValues(manager, token)).toEqual(expected);
    // The sessions that waited hold the merged values; a change to one stays its own.
    const last = sessions[63]!;
    expect(Object.fromEntries(last.keys().map((key) => [key, last.get(key)]))).toEqual(expected);
    sessions[1]!.put('only1', true);
    expect(sessions[2]!.get('only1')).toBeUndefined();
    expect(last.get('only1')).toBeUndefined();
  });

  it('applies the waiting commits in commit order: for the same key the later one wins', async () => {
    const { store, manager } = setup();
    const token = await stored(manager, { base: 1, gone: 1 });
    const [first, ...waiting] = await Promise.all(Array.from({ length: 5 }, () => manager.load(token)));
    first!.put('k', 'first');
    waiting[0]!.put('k', 'w0');
    waiting[1]!.remove('gone');
    waiting[2]!.put('gone', 'back');
    waiting[2]!.setDeadline(Date.now() + 60_000);
    waiting[3]!.put('k', 'w3');
    store.reset();
    const results = await Promise.all([first!, ...waiting].map((session) => manager.saveNow(session)));
    expect(results).toEqual(Array(5).fill(SaveAction.SetCookie));
    expect(store.calls.commitIf).toBe(2);
    expect(await storedValues(manager, token)).toEqual({ base: 1, k: 'w3', gone: 'back' });
    const reloaded = await manager.load(token);
    expect(Math.abs(reloaded.deadline - (Date.now() + 60_000))).toBeLessThan(1000);

    // A remove queued after a put of the same key removes it.
    const [lead, putter, remover] = await Promise.all([0, 1, 2].map(() => manager.load(token)));
    lead!.put('x', 1);
    putter!.put('k', 'put');
    remover!.remove('k');
    await Promise.all([lead!, putter!, remover!].map((session) => manager.commit(session)));
    expect(await storedValues(manager, token)).toEqual({ base: 1, gone: 'back', x: 1 });
  });

  it('drops a waiting commit whose session was destroyed meanwhile, even though the commit it waited for was written', async () => {
    const { store, manager } = setup();
    const token = await stored(manager);
    const [first, waiting, destroyer] = await Promise.all([0, 1, 2].map(() => manager.load(token)));
    first!.put('a', 1);
    waiting!.put('b', 2);
    const firstCommit = manager.commit(first!);
    const waitingCommit = manager.commit(waiting!);
    await destroyer!.destroy();
    expect((await firstCommit).token).toBe(token);
    expect(await waitingCommit).toEqual({ token: '', expiresAt: 0 });
    expect(store.inner.find(token)).toBeUndefined();
    expect((await manager.load(token)).token).toBe('');
  });

  it('drops the waiting commits when the commit in flight found its session destroyed', async () => {
    const { store, manager } = setup();
    const token = await stored(manager);
    const [first, ...waiting] = await Promise.all([0, 1, 2, 3].map(() => manager.load(token)));
    store.inner.delete(token);
    first!.put('a', 1);
    waiting.forEach((session, i) => session.put(`w${i}`, i));
    store.reset();
    const actions = await Promise.all([first!, ...waiting].map((session) => manager.saveNow(session)));
    expect(actions).toEqual(Array(4).fill(SaveAction.None));
    // The first commit's failed write and re-read, then one re-read for the three that waited.
    expect(store.calls.commitIf).toBe(1);
    expect(store.calls.find).toBe(2);
    expect(store.inner.find(token)).toBeUndefined();
  });

  it('rejects every waiting commit with the store error of their write, and the key is free again afterwards', async () => {
    const { store, manager } = setup();
    const token = await stored(manager);
    const [first, ...waiting] = await Promise.all([0, 1, 2, 3].map(() => manager.load(token)));
    first!.put('a', 1);
    waiting.forEach((session, i) => session.put(`w${i}`, i));
    const firstCommit = manager.commit(first!);
    const waitingCommits = waiting.map((session) => manager.commit(session).catch((error: unknown) => error));
    const down = new Error('store down');
    store.failWith = down; // the first commit's write was already sent; the group's is not
    store.reset();
    expect((await firstCommit).token).toBe(token);
    expect(await Promise.all(waitingCommits)).toEqual([down, down, down]);
    expect(store.calls.commitIf).toBe(1); // the group's one write
    store.failWith = undefined;
    expect(await storedValues(manager, token)).toEqual({ base: 1, a: 1 });
    const again = await manager.load(token);
    again.put('again', 1);
    expect((await manager.commit(again)).token).toBe(token);
    expect(await storedValues(manager, token)).toEqual({ base: 1, a: 1, again: 1 });
  });

  it('when the commit in flight fails, the waiting ones read the store and get its error too', async () => {
    const { store, manager } = setup();
    const token = await stored(manager);
    const sessions = await Promise.all([0, 1, 2].map(() => manager.load(token)));
    sessions.forEach((session, i) => session.put(`k${i}`, i));
    const down = new Error('store down');
    store.failWith = down;
    const outcomes = await Promise.all(sessions.map((session) => manager.commit(session).catch((error: unknown) => error)));
    expect(outcomes).toEqual([down, down, down]);
    store.failWith = undefined;
    sessions[0]!.put('k0', 'retried');
    expect((await manager.commit(sessions[0]!)).token).toBe(token);
    expect(await storedValues(manager, token)).toEqual({ base: 1, k0: 'retried' });
  });

  it('writes the waiting commits one at a time when together they are over maxSessionBytes: only the one over the limit fails', async () => {
    const { store, manager } = setup({ maxSessionBytes: 1000 });
    const token = await stored(manager);
    const [first, a, b, c] = await Promise.all([0, 1, 2, 3].map(() => manager.load(token)));
    first!.put('first', 1);
    a!.put('a', 'a'.repeat(350));
    b!.put('b', 'b'.repeat(350));
    c!.put('c', 'c'.repeat(350));
    store.reset();
    const outcomes = await Promise.all([first!, a!, b!, c!].map((session) => manager.commit(session).catch((error: unknown) => error)));
    expect(outcomes.slice(0, 3)).toEqual([0, 1, 2].map(() => ({ token, expiresAt: expect.any(Number) })));
    expect(outcomes[3]).toBeInstanceOf(SessionkitError);
    expect((outcomes[3] as Error).message).toMatch(/^sessionkit: commit: the encoded session is \d+ bytes, over maxSessionBytes \(1000\)/);
    // The first, then a and b each on top of the write before (no re-read); c is refused before its write.
    expect(store.calls.commitIf).toBe(3);
    expect(store.calls.find).toBe(0);
    expect(Object.keys(await storedValues(manager, token)).sort()).toEqual(['a', 'b', 'base', 'first']);
  });

  it('keeps a change made while a commit waits, and a new session never waits', async () => {
    const { store, manager } = setup();
    const token = await stored(manager);
    const [first, waiting] = await Promise.all([0, 1].map(() => manager.load(token)));
    first!.put('a', 1);
    waiting!.put('b', 2);
    const firstSave = manager.saveNow(first!);
    const waitingSave = manager.saveNow(waiting!);
    waiting!.put('late', 3);
    const fresh = await manager.load();
    fresh.put('new', 1);
    store.reset();
    const freshCommit = manager.commit(fresh);
    expect(store.calls.commitIf).toBe(1); // sent at once, not queued
    await Promise.all([firstSave, waitingSave, freshCommit]);
    expect(waiting!.status).toBe('modified');
    expect(waiting!.get('a')).toBe(1);
    expect(waiting!.get('late')).toBe(3);
    expect(await storedValues(manager, token)).toEqual({ base: 1, a: 1, b: 2 });
    expect(await manager.saveNow(waiting!)).toBe(SaveAction.SetCookie);
    expect(await storedValues(manager, token)).toEqual({ base: 1, a: 1, b: 2, late: 3 });
  });

  it('commits of one session through two managers still merge (through the store)', async () => {
    const { store, manager } = setup();
    const other = new SessionManager({ store });
    const token = await stored(manager);
    const ours = await Promise.all([0, 1].map(() => manager.load(token)));
    const theirs = await Promise.all([0, 1].map(() => other.load(token)));
    [...ours, ...theirs].forEach((session, i) => session.put(`k${i}`, i));
    await Promise.all([manager.commit(ours[0]!), other.commit(theirs[0]!), manager.commit(ours[1]!), other.commit(theirs[1]!)]);
    expect(await storedValues(manager, token)).toEqual({ base: 1, k0: 0, k1: 1, k2: 2, k3: 3 });
  });

  describe('on a synchronous store (MemoryStore)', () => {
    /** msgpackCodec, counting its calls. */
    function countingCodec() {
      const counts = { encode: 0, decode: 0 };
      const codec: Codec = {
        name: 'counting',
        encode: (deadline, values) => (counts.encode++, msgpackCodec.encode(deadline, values)),
        decode: (data) => (counts.decode++, msgpackCodec.decode(data)),
      };
      return { codec, counts };
    }

    async function storm(n: number) {
      const { codec, counts } = countingCodec();
      const manager = new SessionManager({ store: new MemoryStore({ sweepInterval: 0 }), codec });
      const token = await stored(manager);
      const sessions = await Promise.all(Array.from({ length: n }, () => manager.load(token)));
      sessions.forEach((session, i) => session.put(`k${i}`, i));
      counts.encode = counts.decode = 0;
      const shared = Promise.resolve();
      const results = await Promise.allSettled(sessions.map((session) => shared.then(() => manager.commit(session))));
      return { manager, token, results, counts: { ...counts } };
    }

    it('200 commits of one session in the same tick: none rejected, all kept, each merged in the same tick without decoding', async () => {
      const { manager, token, results, counts } = await storm(200);
      expect(results.filter((result) => result.status === 'rejected')).toEqual([]);
      expect(results.every((result) => result.status === 'fulfilled' && result.value.token === token)).toBe(true);
      const expected = { base: 1, ...Object.fromEntries(results.map((_, i) => [`k${i}`, i])) };
      expect(await storedValues(manager, token)).toEqual(expected);
      // Linear: each commit encodes twice (its own write, then the merged one); the stored values come from the decode cache.
      expect(counts.encode).toBeLessThanOrEqual(2 * 200);
      expect(counts.decode).toBe(0);
    });

    it('the work of a same-tick storm grows linearly with the number of commits', async () => {
      const small = await storm(50);
      const large = await storm(400);
      expect(large.counts.encode / small.counts.encode).toBeLessThanOrEqual(8.5);
    });
  });
});
