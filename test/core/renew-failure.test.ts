// A login or renewToken whose save fails leaves the user the session they had: the entry the renewal deleted is written back.
import { describe, expect, it } from 'vitest';
import { MemoryStore, SessionManager, type SessionOptions } from '../../src/index.js';
import { spyStore } from '../support/spy-store.js';
import { stored, storedValues } from '../support/sessions.js';
import { TestStore } from '../support/store.js';

/** A store whose next conditional write fails once with a store error. */
function flakyStore(inner: MemoryStore | TestStore) {
  const store = spyStore(inner);
  let failNext = false;
  store.beforeCommitIf = () => {
    if (!failNext) return;
    failNext = false;
    throw new Error('sessionkit: test store: connection lost');
  };
  return { store, failNextWrite: () => (failNext = true) };
}

const STORES = [
  ['MemoryStore', () => new MemoryStore({ sweepInterval: 0 })],
  ['a networked store', () => new TestStore({ delay: 2, stableBytes: false })],
] as const;

describe.each(STORES)('on %s', (_name, makeStore) => {
  for (const renew of ['login', 'renewToken'] as const) {
    it(`a ${renew}() whose save fails leaves the user the session they had: the old token loads its data again`, async () => {
      const { store, failNextWrite } = flakyStore(makeStore());
      const manager = new SessionManager({ store });
      const token = await stored(manager, { cart: ['book'] });
      const session = await manager.load(token);
      if (renew === 'login') await session.login('ada');
      else await session.renewToken();
      failNextWrite();
      await expect(manager.commit(session)).rejects.toThrow('connection lost');
      expect(await storedValues(manager, token)).toEqual({ cart: ['book'] });
      expect(await manager.listSessions('ada')).toEqual([]);
    });
  }

  it('a retried save of the renewed session that succeeds deletes the old entry again', async () => {
    const { store, failNextWrite } = flakyStore(makeStore());
    const manager = new SessionManager({ store });
    const token = await stored(manager, { cart: ['book'] });
    const session = await manager.load(token);
    await session.login('ada');
    failNextWrite();
    await expect(manager.commit(session)).rejects.toThrow('connection lost');
    const { token: renewed } = await manager.commit(session);
    expect(renewed).not.toBe(token);
    expect((await manager.load(token)).keys()).toEqual([]);
    expect(await storedValues(manager, renewed)).toEqual({ cart: ['book'] });
    expect((await manager.listSessions('ada')).map((entry) => entry.handle)).toEqual([session.handle]);
  });

  it('a login whose session grew over maxSessionBytes leaves the user the session they had', async () => {
    const options: SessionOptions = { maxSessionBytes: 200 };
    const manager = new SessionManager({ store: makeStore(), ...options });
    const token = await stored(manager, { note: 'x'.repeat(100) });
    const session = await manager.load(token);
    await session.login('ada');
    session.put('note', 'x'.repeat(300));
    await expect(manager.commit(session)).rejects.toThrow(/over maxSessionBytes/);
    expect(await storedValues(manager, token)).toEqual({ note: 'x'.repeat(100) });
  });
});
